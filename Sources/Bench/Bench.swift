import Foundation
import PageStore

/// `backtrack bench`: every way of getting back to an earlier state, measured on the same generated history,
/// each checked by checksum against the target state. See Docs/PERFORMANCE.md for a report from this machine.
public final class Bench {
    let options: BenchOptions
    let progress: (String) -> Void
    private(set) var measurements: [Measurement] = []

    public init(options: BenchOptions, progress: @escaping (String) -> Void) {
        self.options = options
        self.progress = progress
    }

    /// Runs every scenario and returns the report; throws only when the run cannot proceed at all (a method
    /// that fails is recorded as failed and the run goes on).
    public func run() throws -> BenchReport {
        if let problem = options.problem { throw BenchError(problem) }
        var server: MariaDBServer?
        if options.mariaDB {
            let missing = MariaDBServer.missingTools()
            guard missing.isEmpty else {
                throw BenchError(
                    "--mariadb needs \(missing.joined(separator: ", ")); install them with: "
                        + "apt-get install mariadb-server mariadb-client")
            }
            server = try MariaDBServer()
        }
        defer { server?.stop() }
        let started = Date()
        let scenarios = options.scenarios
        for (index, scenario) in scenarios.enumerated() {
            progress(
                "[\(index + 1)/\(scenarios.count)] \(scenario.rows) rows, \(scenario.history) commits of history: "
                    + "generating")
            try measure(scenario, server: server)
        }
        return BenchReport(
            options: options, started: started, mariaDBVersion: server?.version, measurements: measurements)
    }

    private func measure(_ scenario: Scenario, server: MariaDBServer?) throws {
        let twin = try server.map { try MariaDBTwin(server: $0, database: Dataset.database) }
        let generation = ContinuousClock.now
        let dataset = try Dataset(
            scenario, seed: options.seed, load: { try twin?.loadStatement($0) }, snapshot: { try twin?.snapshot() },
            record: { try twin?.record($0) })
        try twin?.finishHistory()
        progress("    generated in \(Format.duration(ContinuousClock.now - generation))")

        let latest = dataset.latestChecksum
        record(.cloneLatest, scenario, commitsBack: 0, distance: 0, expected: latest) {
            try dataset.recover(.cloneLatest, to: dataset.latest)
        }
        for distance in scenario.distances {
            let back = scenario.commitsBack(distance)
            let target = dataset.target(commitsBack: back)
            let expected = try dataset.checksum(at: target)
            progress("    target \(back) commits back (\(target.mysqlDateTime)), checksum \(Format.checksum(expected))")
            for method in Method.selected(mariaDB: twin != nil) where !method.targetsLatest {
                record(method, scenario, commitsBack: back, distance: distance, expected: expected) {
                    if let twin, method.needsMariaDB { return try twin.recover(method, to: target) }
                    return try dataset.recover(method, to: target)
                }
            }
            try twin?.reset()
        }
    }

    private func record(
        _ method: Method, _ scenario: Scenario, commitsBack: Int, distance: Double, expected: UInt32?,
        _ recover: () throws -> Recovery
    ) {
        var measurement = Measurement(
            method: method, rows: scenario.rows, history: scenario.history, commitsBack: commitsBack,
            distance: distance, seconds: [], expectedChecksum: expected, checksums: [], error: nil)
        for _ in 0..<options.repetitions {
            do {
                let recovery = try recover()
                measurement.seconds.append(Format.seconds(recovery.elapsed))
                measurement.checksums.append(recovery.checksum)
            } catch {
                measurement.error = "\(error)"
                break
            }
        }
        measurements.append(measurement)
        progress("    " + Format.progressLine(measurement))
    }
}
