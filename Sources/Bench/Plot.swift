import Foundation

/// The report's curves as a standalone SVG, drawn here (no plotting tool): time against database size, against
/// history length and against the target's distance, one line per method, log scales, min-to-max bars.
struct Plot {
    struct Point {
        var x: Double
        var median: Double
        var minimum: Double
        var maximum: Double
    }

    struct Panel {
        var title: String
        var xLabel: String
        var curves: [(method: Method, points: [Point])]
    }

    static let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
    static let panelWidth = 400.0
    static let panelHeight = 300.0
    static let margin = (left: 70.0, right: 40.0, top: 50.0, bottom: 50.0)

    let panels: [Panel]
    let methods: [Method]
    let caption: String
    let failed: [Method]

    init(_ report: BenchReport, primaryDistance: Double) {
        let sizes = report.parameters.sizes.sorted()
        let histories = report.parameters.histories.sorted()
        let methods = report.methods
        let good = report.results.filter(\.matched)
        func curves(_ include: (Measurement) -> Bool, x: (Measurement) -> Double) -> [(Method, [Point])] {
            methods.map { method in
                let points = good.filter { $0.method == method && include($0) }
                    .map { Point(x: x($0), median: $0.median, minimum: $0.minimum, maximum: $0.maximum) }
                    .sorted { $0.x < $1.x }
                return (method, points)
            }
        }
        let atPrimary: (Measurement) -> Bool = { $0.method.targetsLatest || $0.distance == primaryDistance }
        panels = [
            Panel(
                title: "Time against database size", xLabel: "sbtest1 rows (\(histories[0]) commits of history)",
                curves: curves({ $0.history == histories[0] && atPrimary($0) }, x: { Double($0.rows) })),
            Panel(
                title: "Time against history length", xLabel: "commits after the snapshot (\(sizes[0]) rows)",
                curves: curves({ $0.rows == sizes[0] && atPrimary($0) }, x: { Double($0.history) })),
            Panel(
                title: "Time against target distance",
                xLabel: "commits between target and now (\(sizes[0]) rows, \(histories.last!) commits)",
                curves: curves(
                    { $0.rows == sizes[0] && $0.history == histories.last! && !$0.method.targetsLatest },
                    x: { Double($0.commitsBack) })),
        ]
        self.methods = methods
        failed = methods.filter { method in report.results.contains { $0.method == method && !$0.matched } }
        caption =
            "backtrack bench, \(report.versions.build) build, \(report.machine.cores) cores, "
            + "\(report.parameters.repetitions) repetitions per point (median, bars: min to max), \(report.started)"
    }

    // MARK: Drawing

    func svg() -> String {
        let allY = panels.flatMap { $0.curves.flatMap { $0.points.flatMap { [$0.minimum, $0.maximum] } } }
            .filter { $0 > 0 }
        let low = floor(log10(allY.min() ?? 1e-6))
        let high = max(ceil(log10(allY.max() ?? 1)), low + 1)
        let width = Double(panels.count) * Self.panelWidth
        let legendRows = (methods.count + 3) / 4
        let height = Self.panelHeight + 40 + Double(legendRows) * 20 + 30
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (index, panel) in panels.enumerated() {
            out += draw(panel, left: Double(index) * Self.panelWidth, yRange: (low, high))
        }
        out += legend(top: Self.panelHeight + 20)
        out += text(x: 10, y: height - 10, caption, size: 11, color: "#555")
        out += "</svg>\n"
        return out
    }

    private func draw(_ panel: Panel, left: Double, yRange: (low: Double, high: Double)) -> String {
        let plotLeft = left + Self.margin.left
        let plotRight = left + Self.panelWidth - Self.margin.right
        let plotTop = Self.margin.top
        let plotBottom = Self.panelHeight - Self.margin.bottom
        let xs = panel.curves.flatMap { $0.points.map(\.x) }.filter { $0 > 0 }
        let xLow = floor(log10(xs.min() ?? 1))
        let xHigh = max(ceil(log10(xs.max() ?? 10)), xLow + 1)
        func px(_ x: Double) -> Double {
            plotLeft + (log10(x) - xLow) / (xHigh - xLow) * (plotRight - plotLeft)
        }
        func py(_ y: Double) -> Double {
            plotBottom - (log10(y) - yRange.low) / (yRange.high - yRange.low) * (plotBottom - plotTop)
        }
        var out = text(x: left + Self.panelWidth / 2, y: 25, panel.title, size: 14, anchor: "middle", bold: true)
        out += "<rect x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" "
        out += "height=\"\(f(plotBottom - plotTop))\" fill=\"none\" stroke=\"#333\"/>\n"
        for decade in stride(from: yRange.low, through: yRange.high, by: 1) {
            let y = py(pow(10, decade))
            out += line(plotLeft, y, plotRight, y, color: "#ddd")
            out += text(x: plotLeft - 6, y: y + 4, Format.tick(pow(10, decade)), size: 11, anchor: "end")
        }
        for decade in stride(from: xLow, through: xHigh, by: 1) {
            let x = px(pow(10, decade))
            out += line(x, plotTop, x, plotBottom, color: "#ddd")
            out += text(x: x, y: plotBottom + 16, Format.count(Int(pow(10, decade))), size: 11, anchor: "middle")
        }
        out += text(x: (plotLeft + plotRight) / 2, y: plotBottom + 36, panel.xLabel, size: 11, anchor: "middle")
        if xs.isEmpty {
            out += text(
                x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, "no data", size: 12, anchor: "middle")
        }
        // Backtrack last and thicker, so that curves lying on it (the copy-on-write ones) do not hide it.
        let ordered = panel.curves.filter { $0.method != .backtrack } + panel.curves.filter { $0.method == .backtrack }
        for (method, points) in ordered where !points.isEmpty {
            let color = self.color(method)
            let width = method == .backtrack ? 3 : 2
            let path = points.map { "\(f(px($0.x))),\(f(py($0.median)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"/>\n"
            for point in points {
                let x = px(point.x)
                out += line(x, py(point.minimum), x, py(point.maximum), color: color)
                out += "<circle cx=\"\(f(x))\" cy=\"\(f(py(point.median)))\" r=\"3.5\" fill=\"\(color)\">"
                out += "<title>\(escape(method.title)): \(Format.time(point.median))</title></circle>\n"
            }
        }
        return out
    }

    private func legend(top: Double) -> String {
        var out = ""
        for (index, method) in methods.enumerated() {
            let x = 20 + Double(index % 4) * 300
            let y = top + 20 + Double(index / 4) * 20
            out += line(x, y - 4, x + 24, y - 4, color: color(method), width: 3)
            let note = failed.contains(method) ? " (wrong state or failed: not plotted)" : ""
            out += text(x: x + 30, y: y, method.title + note, size: 12)
        }
        return out
    }

    private func color(_ method: Method) -> String {
        Self.colors[(Method.allCases.firstIndex(of: method) ?? 0) % Self.colors.count]
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1)
        -> String
    {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\" "
            + "stroke-width=\"\(f(width))\"/>\n"
    }

    private func text(
        x: Double, y: Double, _ content: String, size: Int, anchor: String = "start", bold: Bool = false,
        color: String = "#222"
    ) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(color)\""
            + (bold ? " font-weight=\"bold\"" : "") + ">\(escape(content))</text>\n"
    }

    private func f(_ value: Double) -> String { Format.fixed(value, digits: 1) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension BenchReport {
    /// The curves as an SVG document.
    public func svg() -> String {
        Plot(self, primaryDistance: primaryDistance).svg()
    }
}
