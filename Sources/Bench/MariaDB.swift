import Foundation
import PageStore

/// A private MariaDB server for the baselines: `mariadbd` from Debian's `mariadb-server` on a Unix socket in a
/// temporary directory, with the binary log in row format (which `--flashback` needs), utf8mb4 tables (so
/// CHECKSUM TABLE is comparable with the façade's) and UTC. Otherwise Debian's defaults, durability included.
/// Nothing is installed here: `missingTools` says what is absent.
final class MariaDBServer {
    static let tools = ["mariadb-install-db", "mariadbd", "mariadb", "mariadb-dump", "mariadb-binlog"]

    let directory: URL
    private let process: Process
    private(set) var version = ""
    /// The latest commit time (Unix seconds) any history on this server used.
    var latestHistorySecond: Int64 = 0

    var socket: String { directory.appendingPathComponent("mysqld.sock").path }

    /// The tools not found on PATH (or in the sbin directories, where Debian puts `mariadbd`).
    static func missingTools() -> [String] { tools.filter { path(of: $0) == nil } }

    static func path(of tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (directories + ["/usr/sbin", "/usr/local/sbin", "/sbin"]).map { "\($0)/\(tool)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "backtrack-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = directory.appendingPathComponent("data").path
        _ = try Self.run(
            [
                Self.path(of: "mariadb-install-db")!, "--no-defaults", "--datadir=\(data)", "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db",
            ], log: directory.appendingPathComponent("install.log"))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.path(of: "mariadbd")!)
        process.arguments = [
            "--no-defaults", "--datadir=\(data)", "--socket=\(directory.appendingPathComponent("mysqld.sock").path)",
            "--skip-networking", "--user=root", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci", "--default-time-zone=+00:00", "--server-id=1",
            "--log-bin=\(directory.appendingPathComponent("binlog").path)", "--binlog-format=ROW",
            "--pid-file=\(directory.appendingPathComponent("pid").path)",
            "--log-error=\(directory.appendingPathComponent("error.log").path)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if let version = try? query("SELECT VERSION()") {
                self.version = version
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw BenchError("mariadbd did not start; see its log in \(directory.path)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The client command line; `quiet` leaves the binary log off for this session (restores must not log).
    func client(database: String? = nil, quiet: Bool = true) -> String {
        var words = [
            Self.path(of: "mariadb")!, "--no-defaults", "--socket=\(socket)", "-uroot", "-N", "-B",
            "--default-character-set=utf8mb4",
        ]
        if quiet { words.append("--init-command='SET sql_log_bin=0'") }
        if let database { words.append(database) }
        return words.joined(separator: " ")
    }

    /// Runs `sql` through the client and returns its output, trimmed.
    @discardableResult
    func query(_ sql: String, database: String? = nil) throws -> String {
        try shell("\(client(database: database)) -e \(Self.quoted(sql))")
    }

    /// Runs a shell pipeline (bash, `pipefail`) with UTC as the time zone, as `mariadb-binlog`'s datetimes are.
    @discardableResult
    func shell(_ command: String) throws -> String {
        try Self.run(
            ["/bin/bash", "-o", "pipefail", "-c", command], log: directory.appendingPathComponent("command.log"))
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private static func run(_ arguments: [String], log: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        let errors = try emptyFile(at: log)
        defer { try? errors.close() }
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw BenchError(
                "\(URL(fileURLWithPath: arguments[0]).lastPathComponent) failed (\(process.terminationStatus)): "
                    + (message.split(separator: "\n").last.map(String.init) ?? "no message"))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The dataset's twin in MariaDB: the same load, a `mariadb-dump` where the page store took its snapshot, and the
/// same transactions with the same commit times (`SET TIMESTAMP`) in a binary log file of their own.
final class MariaDBTwin {
    let server: MariaDBServer
    private let loadFile: URL
    private let historyFile: URL
    private let dumpFile: URL
    private var load: FileHandle
    private var history: FileHandle?
    /// The binary log file holding exactly the history.
    private var binlog = ""
    private let database: String
    /// Added to the simulated commit times, whole seconds. `mariadb-binlog --stop-datetime` stops at the first
    /// event at or after the datetime, and a log file's own events carry the real time or, once a session has
    /// set one, the latest timestamp the server has seen; so each history is dated an hour after both.
    private let shift: Int64

    init(server: MariaDBServer, database: String) throws {
        self.server = server
        self.database = database
        let realSeconds = Int64(Date().timeIntervalSince1970)
        shift = max(realSeconds, server.latestHistorySecond) + 3_600 - Dataset.start.rawValue / 1_000_000
        loadFile = server.directory.appendingPathComponent("load.sql")
        historyFile = server.directory.appendingPathComponent("history.sql")
        dumpFile = server.directory.appendingPathComponent("dump.sql")
        load = try emptyFile(at: loadFile)
        try write("DROP DATABASE IF EXISTS \(database);\nCREATE DATABASE \(database);\nUSE \(database);\n", to: load)
    }

    func loadStatement(_ statement: String) throws { try write(statement + ";\n", to: load) }

    /// Loads the table, dumps it, and starts a fresh binary log file for the history.
    func snapshot() throws {
        try load.close()
        try server.shell("\(server.client(quiet: false)) < \(loadFile.path)")
        try server.shell(
            "\(MariaDBServer.path(of: "mariadb-dump")!) --no-defaults --socket=\(server.socket) -uroot "
                + "--single-transaction --databases \(database) > \(dumpFile.path)")
        try server.query("FLUSH BINARY LOGS")
        binlog = try server.query("SHOW MASTER STATUS").split(separator: "\t").first.map(String.init) ?? ""
        history = try emptyFile(at: historyFile)
    }

    func record(_ transaction: Dataset.Transaction) throws {
        guard let history else { throw BenchError("history recorded before the snapshot") }
        let seconds = transaction.time.rawValue / 1_000_000 + shift
        server.latestHistorySecond = max(server.latestHistorySecond, seconds)
        try write(
            "SET TIMESTAMP=\(seconds);\n" + transaction.statements.map { $0 + ";\n" }.joined(), to: history)
    }

    /// Runs the recorded history (logged), then closes its binary log file.
    func finishHistory() throws {
        try history?.close()
        history = nil
        try server.shell("\(server.client(database: database, quiet: false)) < \(historyFile.path)")
        try server.query("FLUSH BINARY LOGS")
    }

    /// `--stop-datetime`/`--start-datetime` for a target between two commits: the next whole second, so that
    /// every transaction at or before the target is in and none after it.
    private func boundary(_ target: Timestamp) -> String {
        Timestamp(microseconds: (target.rawValue / 1_000_000 + 1 + shift) * 1_000_000).mysqlDateTime
    }

    private var binlogPath: String { server.directory.appendingPathComponent(binlog).path }
    private var binlogTool: String { "\(MariaDBServer.path(of: "mariadb-binlog")!) --no-defaults" }

    func recover(_ method: Method, to target: Timestamp) throws -> Recovery {
        switch method {
        case .mariaDBDumpReplay:
            try server.query("DROP DATABASE IF EXISTS \(database)")
            return try timed {
                try server.shell("\(server.client()) < \(dumpFile.path)")
                try server.shell(
                    "\(binlogTool) --stop-datetime='\(boundary(target))' \(binlogPath) | \(server.client())")
                try server.query(Dataset.firstQuery, database: database)
            } verify: { _ in
                try checksum()
            }
        case .mariaDBFlashback:
            let recovery = try timed {
                try server.shell(
                    "\(binlogTool) --flashback --start-datetime='\(boundary(target))' \(binlogPath) "
                        + "| \(server.client())")
                try server.query(Dataset.firstQuery, database: database)
            } verify: { _ in
                try checksum()
            }
            try toLatest(from: target)
            return recovery
        default:
            throw BenchError("\(method.rawValue) does not run against MariaDB")
        }
    }

    /// Back to the newest state after a flashback to `target`: the history after it, applied again.
    private func toLatest(from target: Timestamp) throws {
        try server.shell("\(binlogTool) --start-datetime='\(boundary(target))' \(binlogPath) | \(server.client())")
    }

    /// Back to the newest state from anywhere: the dump and the whole history.
    func reset() throws {
        try server.query("DROP DATABASE IF EXISTS \(database)")
        try server.shell("\(server.client()) < \(dumpFile.path)")
        try server.shell("\(binlogTool) \(binlogPath) | \(server.client())")
    }

    func checksum() throws -> UInt32? {
        let output = try server.query("CHECKSUM TABLE \(Dataset.table)", database: database)
        return output.split(separator: "\t").last.flatMap { UInt32($0) }
    }

    private func write(_ text: String, to handle: FileHandle) throws {
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// A new, empty file open for writing (replacing any file at `url`).
private func emptyFile(at url: URL) throws -> FileHandle {
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
        throw BenchError("cannot create \(url.path)")
    }
    return try FileHandle(forWritingTo: url)
}
