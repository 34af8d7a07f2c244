import Bench
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct BenchTests {
    /// `bench` at a tiny size: every in-process method is measured on every scenario of the three sweeps, reaches
    /// the target state, and the JSON and SVG are complete and well-formed.
    @Test func tinyRunMeasuresEveryMethodAndWritesJSONAndSVG() throws {
        let options = BenchOptions(sizes: [300, 150], histories: [6, 12], distances: [0.25, 0.5], repetitions: 2)
        var lines: [String] = []
        let report = try Bench(options: options) { lines.append($0) }.run()

        #expect(report.allMatched, "\(report.table())")
        #expect(lines.contains { $0.contains("generating") })
        let methods = Set(report.results.map(\.method))
        #expect(methods == Set(Method.allCases.filter { !$0.rawValue.hasPrefix("mariadb") }))
        // Sizes at the smallest history, histories at the smallest size, distances at the longest history.
        let points = Set(
            report.results.filter { $0.method == .backtrack }.map { "\($0.rows)/\($0.history)/\($0.commitsBack)" })
        #expect(points == ["150/6/3", "300/6/3", "150/12/6", "150/12/3"])
        #expect(report.results.allSatisfy { $0.seconds.count == 2 && $0.checksums.count == 2 })

        let json = try JSONSerialization.jsonObject(with: report.json()) as? [String: Any]
        let results = json?["results"] as? [[String: Any]] ?? []
        #expect(Set(results.compactMap { $0["method"] as? String }) == Set(methods.map(\.rawValue)))
        #expect(results.allSatisfy { $0["matched"] as? Bool == true && $0["medianSeconds"] is Double })
        #expect((json?["machine"] as? [String: Any])?["cores"] is Int)
        #expect((json?["versions"] as? [String: Any])?["sqlite"] is String)
        #expect(json?["allMatched"] as? Bool == true)

        let svg = report.svg()
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the SVG is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("<polyline"))
        for method in methods { #expect(svg.contains(method.title)) }
    }

    @Test func badOptionsAreRejectedWithOneLine() {
        #expect(BenchOptions(sizes: [0]).problem?.contains("--sizes") == true)
        #expect(BenchOptions(histories: []).problem?.contains("--history") == true)
        #expect(BenchOptions(distances: [1.5]).problem?.contains("--distances") == true)
        #expect(BenchOptions(repetitions: 0).problem?.contains("--repeat") == true)
        #expect(BenchOptions().problem == nil)
    }
}
