import Foundation

/// Human-readable figures for the terminal table and the plot.
enum Format {
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func duration(_ duration: Duration) -> String { time(seconds(duration)) }

    /// 3 significant figures in the unit that suits: ns, µs, ms or s.
    static func time(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let (value, unit): (Double, String) =
            switch seconds {
            case ..<1e-6: (seconds * 1e9, "ns")
            case ..<1e-3: (seconds * 1e6, "µs")
            case ..<1: (seconds * 1e3, "ms")
            default: (seconds, "s")
            }
        return "\(significant(value)) \(unit)"
    }

    /// An axis label: a power of ten in its unit, without decimals ("10 ms").
    static func tick(_ seconds: Double) -> String {
        let label = time(seconds)
        return label.replacingOccurrences(of: ".00 ", with: " ").replacingOccurrences(of: ".0 ", with: " ")
    }

    static func significant(_ value: Double) -> String {
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return fixed(value, digits: digits)
    }

    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let whole = Int64(rounded)
        guard digits > 0 else { return "\(whole)" }
        let fraction = Int64(((abs(rounded) - Double(abs(whole))) * scale).rounded())
        let padded = String(fraction).leftPadded(to: digits, with: "0")
        return "\(rounded < 0 && whole == 0 ? "-" : "")\(whole).\(padded)"
    }

    static func checksum(_ value: UInt32?) -> String { value.map(String.init) ?? "NULL" }

    static func count(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    static func verdict(_ measurement: Measurement) -> String {
        if let error = measurement.error { return "FAILED: \(error)" }
        return measurement.matched ? "state ok" : "WRONG STATE (checksum differs)"
    }

    static func progressLine(_ measurement: Measurement) -> String {
        let method = measurement.method.title.rightPadded(to: 30)
        guard measurement.error == nil else { return "\(method) \(verdict(measurement))" }
        return "\(method) median \(time(measurement.median).leftPadded(to: 9))  "
            + "(\(time(measurement.minimum)) to \(time(measurement.maximum)), n=\(measurement.seconds.count))  "
            + verdict(measurement)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
