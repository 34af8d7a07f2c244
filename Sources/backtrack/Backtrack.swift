import ArgumentParser
import Lab

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to file descriptor 2 directly: C's `stderr` is shared mutable state to Swift 6.
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// The `backtrack` command: Aurora MySQL's storage layer, simulated in one process.
@main
struct Backtrack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Aurora MySQL's storage layer in one process: backtrack, clone and restore, checked by checksums.",
        subcommands: [LabCommand.self, ServeCommand.self, BenchCommand.self])

    /// Parses and runs, reporting a usage mistake as one line on stderr (`backtrack: error: ...`) with a non-zero
    /// exit, rather than ArgumentParser's message plus usage block. `--help` still prints the full help.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is ExitCode) else { exit(withError: error) }
            let message = Self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            writeStandardError("backtrack: error: \(message)\n")
            Self.exit(withError: ExitCode(code.rawValue))
        }
    }
}

struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Replay the AWS Aurora cloning and backtracking workshop in process, on a manual clock.",
        discussion: "Exits non-zero if any expectation fails, so it is also an end-to-end self-check.")

    @Option(help: "Rows of sbtest1 (1000000 reproduces the workshop).")
    var tableSize = 2_000

    @Option(help: "Seed of the generated rows and identifiers.")
    var seed: UInt64 = 1

    @Option(help: "sysbench write transactions in the restore-versus-backtrack step.")
    var transactions = 200

    func validate() throws {
        guard (1...50_000_000).contains(tableSize) else {
            throw ValidationError("--table-size must be from 1 to 50000000")
        }
        guard (2...1_000_000).contains(transactions) else {
            throw ValidationError("--transactions must be from 2 to 1000000")
        }
    }

    func run() throws {
        let lab = Lab(
            options: Lab.Options(tableSize: tableSize, seed: seed, transactions: transactions),
            write: { print($0) })
        let failures = lab.run()
        if !failures.isEmpty { throw ExitCode.failure }
    }
}
