import ArgumentParser
import Bench

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure every way back to an earlier state on the same history: backtrack, clones, restores, "
            + "snapshot + replay, SQLite's backup API, and optionally MariaDB.",
        discussion: """
            Sizes vary at the smallest history, histories at the smallest size, and target distances on the \
            smallest size with the longest history. Every method's result is checked by CHECKSUM TABLE against \
            the target state; a method that reaches another state is reported as wrong and the command exits 1. \
            Build with -c release for figures worth quoting.
            """)

    @Option(help: "sysbench rows of sbtest1, comma-separated.")
    var sizes = "10000,100000"

    @Option(help: "Commits written after the snapshot, comma-separated.")
    var history = "100,1000,10000"

    @Option(help: "How far back the target lies, as fractions of the history, comma-separated.")
    var distances = "0.1,0.5,0.9"

    @Option(name: .customLong("repeat"), help: "Repetitions of each measurement (the median is reported).")
    var repetitions = 5

    @Option(help: "Seed of the generated rows and transactions.")
    var seed: UInt64 = 1

    @Flag(help: "Also measure a private MariaDB (needs mariadb-server and mariadb-client installed).")
    var mariadb = false

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Draw the curves as SVG to this file.")
    var plot: String?

    func parsedOptions() throws -> BenchOptions {
        func list<T>(_ text: String, _ name: String, _ parse: (Substring) -> T?) throws -> [T] {
            let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces)[...] }.map(parse)
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--\(name) must be a comma-separated list of numbers")
            }
            return values.compactMap { $0 }
        }
        let options = BenchOptions(
            sizes: try list(sizes, "sizes") { Int($0) }, histories: try list(history, "history") { Int($0) },
            distances: try list(distances, "distances") { Double($0) }, repetitions: repetitions, seed: seed,
            mariaDB: mariadb)
        if let problem = options.problem { throw ValidationError(problem) }
        return options
    }

    func validate() throws { _ = try parsedOptions() }

    func run() throws {
        // Flushed line by line, so that progress shows when the output goes to a file or a pipe.
        let bench = Bench(options: try parsedOptions()) { line in
            print(line)
            fflush(nil)
        }
        let report = try bench.run()
        print("\n" + report.table())
        if let json { try write(Array(try report.json()) + [10], to: json) }
        if let plot { try write(Array(report.svg().utf8), to: plot) }
        if !report.allMatched {
            fflush(nil)
            writeStandardError("backtrack: error: a method did not reach the target state (see the table)\n")
            throw ExitCode.failure
        }
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw ValidationError("cannot write \(path)") }
        defer { fclose(file) }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw ValidationError("cannot write \(path)") }
        print("wrote \(path)")
    }
}
