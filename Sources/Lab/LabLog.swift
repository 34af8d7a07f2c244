import ClusterControl
import PageStore
import SQLFacade

/// What `lab` prints: each step's simulated time, the command as the workshop types it, its result, and the
/// checks, plus the timeline drawn at the end.
final class LabLog {
    private let write: (String) -> Void
    private(set) var failures: [String] = []
    private var timeline: [TimelineEntry] = []
    private var lanes: [ClusterID] = []

    struct TimelineEntry {
        var time: Timestamp
        var cluster: ClusterID
        var mark: Character
        var text: String
    }

    init(write: @escaping (String) -> Void) { self.write = write }

    func heading(_ text: String) {
        write("")
        write("== \(text) " + String(repeating: "=", count: max(3, 72 - text.count)))
    }

    func note(_ text: String) { write("   " + text) }

    /// A command as typed at a shell, with the simulated time.
    func command(_ time: Timestamp, _ text: String) { write("[\(time.mysqlDateTime)] $ \(text)") }

    /// A SQL statement as typed at the `mysql` prompt of `cluster`, and its result as the client prints it.
    func sql(_ time: Timestamp, _ cluster: ClusterID, _ statement: String, _ result: QueryResult?) {
        write("[\(time.mysqlDateTime)] \(cluster) mysql> \(statement)")
        guard let result else { return }
        if result.hasResultSet {
            for line in Self.table(result) { write("   " + line) }
        } else {
            write("   Query OK, \(result.affectedRows) row\(result.affectedRows == 1 ? "" : "s") affected")
        }
    }

    /// A check: printed with ✓ or ✗; a failed one makes `lab` exit non-zero.
    func expect(_ condition: Bool, _ what: String) {
        write("   \(condition ? "✓" : "✗") \(what)")
        if !condition { failures.append(what) }
    }

    func fail(_ what: String) {
        write("   ✗ \(what)")
        failures.append(what)
    }

    /// Records a point of the timeline picture.
    func mark(_ time: Timestamp, _ cluster: ClusterID, _ mark: Character, _ text: String) {
        if !lanes.contains(cluster) { lanes.append(cluster) }
        timeline.append(TimelineEntry(time: time, cluster: cluster, mark: mark, text: text))
    }

    /// The timeline: one lane per cluster, one line per event, in time order. `●` write, `◆` snapshot, `↶`
    /// backtrack, `⑂` clone or restore, `⚠` the mistake a backtrack undoes.
    func drawTimeline() {
        heading("Timeline (simulated UTC)")
        let width = 30
        write("time      " + lanes.map { pad(String($0.rawValue.prefix(width - 2)), width) }.joined())
        let ordered = timeline.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        var started = Set<ClusterID>()
        for (_, entry) in ordered {
            started.insert(entry.cluster)
            var line = String(entry.time.mysqlDateTime.suffix(8)) + "  "
            for lane in lanes {
                if lane == entry.cluster {
                    line += "\(entry.mark) \(entry.text)"
                    break
                }
                line += pad(started.contains(lane) ? "│" : "", width)
            }
            write(line)
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }

    /// A result set drawn as the `mysql` client draws it.
    static func table(_ result: QueryResult) -> [String] {
        let header = result.columns.map(\.name)
        let rows = result.textRows.map { $0.map { $0 ?? "NULL" } }
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ")
                + " |"
        }
        guard !rows.isEmpty else { return ["Empty set"] }
        return [rule, line(header), rule] + rows.map(line) + [
            rule, "\(rows.count) row\(rows.count == 1 ? "" : "s") in set",
        ]
    }
}
