import Foundation
import SQLiteVFS

/// The results of one run with what produced them: the machine, the versions and the parameters.
public struct BenchReport: Encodable, Sendable {
    public struct Machine: Encodable, Sendable {
        public var os: String
        public var cpu: String
        public var cores: Int
        public var memoryBytes: UInt64
    }

    public struct Versions: Encodable, Sendable {
        /// `release` or `debug`: a debug build's times are not the ones to quote.
        public var build: String
        public var sqlite: String
        public var mariadb: String?
    }

    public struct Parameters: Encodable, Sendable {
        public var sizes: [Int]
        public var histories: [Int]
        public var distances: [Double]
        public var repetitions: Int
        public var seed: UInt64
        public var mariadb: Bool
    }

    public var tool = "backtrack bench"
    public var started: String
    public var machine: Machine
    public var versions: Versions
    public var parameters: Parameters
    public var methods: [Method]
    public var results: [Measurement]

    init(options: BenchOptions, started: Date, mariaDBVersion: String?, measurements: [Measurement]) {
        self.started = ISO8601DateFormatter().string(from: started)
        machine = Self.machine()
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        versions = Versions(build: build, sqlite: SQLiteConnection.libraryVersion, mariadb: mariaDBVersion)
        parameters = Parameters(
            sizes: options.sizes, histories: options.histories, distances: options.distances,
            repetitions: options.repetitions, seed: options.seed, mariadb: options.mariaDB)
        methods = Method.selected(mariaDB: options.mariaDB)
        results = measurements
        primaryDistance = options.primaryDistance
    }

    /// The distance at which sizes and histories are compared.
    let primaryDistance: Double

    private enum CodingKeys: String, CodingKey {
        case tool, started, machine, versions, parameters, methods, results, allMatched
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tool, forKey: .tool)
        try container.encode(started, forKey: .started)
        try container.encode(machine, forKey: .machine)
        try container.encode(versions, forKey: .versions)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(methods, forKey: .methods)
        try container.encode(results.map { Row(measurement: $0, ratio: ratio(of: $0)) }, forKey: .results)
        try container.encode(allMatched, forKey: .allMatched)
    }

    /// True when every method reached its target state in every repetition.
    public var allMatched: Bool { results.allSatisfy(\.matched) }

    /// The method's median over backtrack's on the same data and target (for the clone, the main target).
    public func ratio(of measurement: Measurement) -> Double? {
        let reference = results.first {
            $0.method == .backtrack && $0.rows == measurement.rows && $0.history == measurement.history
                && (measurement.method.targetsLatest
                    ? $0.distance == primaryDistance : $0.commitsBack == measurement.commitsBack)
        }
        guard let reference, reference.matched, measurement.matched else { return nil }
        return measurement.median / reference.median
    }

    /// One result as JSON: the measurement with its median, spread, verdict and ratio.
    private struct Row: Encodable {
        var measurement: Measurement
        var ratio: Double?

        enum Keys: String, CodingKey {
            case method, title, rows, history, commitsBack, distance, seconds, medianSeconds, minSeconds, maxSeconds
            case ratioToBacktrack, expectedChecksum, checksums, matched, error
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            let m = measurement
            try c.encode(m.method, forKey: .method)
            try c.encode(m.method.title, forKey: .title)
            try c.encode(m.rows, forKey: .rows)
            try c.encode(m.history, forKey: .history)
            try c.encode(m.commitsBack, forKey: .commitsBack)
            try c.encode(m.distance, forKey: .distance)
            try c.encode(m.seconds, forKey: .seconds)
            if !m.seconds.isEmpty {
                try c.encode(m.median, forKey: .medianSeconds)
                try c.encode(m.minimum, forKey: .minSeconds)
                try c.encode(m.maximum, forKey: .maxSeconds)
            }
            try c.encodeIfPresent(ratio, forKey: .ratioToBacktrack)
            try c.encodeIfPresent(m.expectedChecksum, forKey: .expectedChecksum)
            try c.encode(m.checksums, forKey: .checksums)
            try c.encode(m.matched, forKey: .matched)
            try c.encodeIfPresent(m.error, forKey: .error)
        }
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    // MARK: The terminal table

    /// One line per measurement, grouped by scenario and target, with the ratio to backtrack.
    public func table() -> String {
        let header = [
            "rows".leftPadded(to: 10), "history".leftPadded(to: 8), "back".leftPadded(to: 7),
            "method".rightPadded(to: 30), "median".leftPadded(to: 10), "min to max".rightPadded(to: 22),
            "/backtrack".leftPadded(to: 10), "  state",
        ].joined(separator: "  ")
        var lines = [header, String(repeating: "-", count: header.count)]
        for m in results {
            let spread = m.seconds.isEmpty ? "-" : "\(Format.time(m.minimum)) to \(Format.time(m.maximum))"
            lines.append(
                [
                    Format.count(m.rows).leftPadded(to: 10), Format.count(m.history).leftPadded(to: 8),
                    (m.method.targetsLatest ? "latest" : Format.count(m.commitsBack)).leftPadded(to: 7),
                    m.method.title.rightPadded(to: 30), Format.time(m.median).leftPadded(to: 10),
                    spread.rightPadded(to: 22),
                    (ratio(of: m).map { Format.significant($0) + "×" } ?? "-").leftPadded(to: 10),
                    "  " + Format.verdict(m),
                ].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    // MARK: The machine

    private static func machine() -> Machine {
        let info = ProcessInfo.processInfo
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return Machine(
            os: info.operatingSystemVersionString, cpu: model, cores: info.activeProcessorCount,
            memoryBytes: info.physicalMemory)
    }
}
