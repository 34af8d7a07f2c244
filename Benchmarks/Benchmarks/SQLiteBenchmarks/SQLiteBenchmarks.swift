import Benchmark
import BenchmarkSupport
import PageStore
import SQLFacade
import SQLiteVFS
import Workload

/// SQLite on the page store against SQLite's own in-memory `memdb` VFS, on sysbench's `sbtest1` (1,000,000 rows,
/// SQLite's default cache), in the same run. Docs/PERFORMANCE.md quotes the ratios. Run with:
///
///     swift package --package-path Benchmarks benchmark --target SQLiteBenchmarks
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(10),
        maxIterations: 1_000)
    let rows = 1_000_000

    for backend in Backend.allCases {
        Benchmark(
            "Bulk load, 10,000-row transactions/rows:\(rows),\(backend)",
            configuration: .init(
                metrics: [.wallClock], warmupIterations: 0, scalingFactor: .one,
                maxDuration: .seconds(60), maxIterations: 5)
        ) { benchmark in
            let db = try! backend.connect().db
            var sysbench = Sysbench(rows: rows)
            benchmark.startMeasurement()
            try! sysbench.load(db)
            benchmark.stopMeasurement()
        }

        // Each transaction commits at its own millisecond, so every one stays reachable by time and the store keeps
        // the whole history (with a frozen clock, retention would keep only the last state of each instant). SQLite's
        // page reads and writes per transaction are reported too: equal on both backends, they show that the
        // difference in time is the VFS's alone.
        Benchmark(
            "Write transaction (oltp_write_only)/rows:\(rows),\(backend)",
            configuration: .init(metrics: Benchmark.defaultConfiguration.metrics + VFSTraffic.metrics)
        ) { benchmark, loaded in
            var sysbench = Sysbench(rows: rows, seed: 99)
            let transaction = try! Sysbench.WriteTransaction(loaded.db)
            _ = loaded.db.pageCacheCounters(reset: true)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                loaded.clock?.advance(microseconds: 1000)
                try! transaction.run(&sysbench)
            }
            benchmark.stopMeasurement()
            VFSTraffic.report(loaded.db.pageCacheCounters(), per: benchmark.scaledIterations.count, to: benchmark)
        } setup: {
            try Loaded(backend, rows: rows)
        }

        Benchmark("Point select by id/rows:\(rows),\(backend)") { benchmark, loaded in
            var random = SplitMix64(seed: 5)
            let select = try! loaded.db.prepare("SELECT c FROM sbtest1 WHERE id=?")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try! select.bind(.integer(Int64(random.next() % UInt64(rows)) + 1), at: 0)
                blackHole(try! select.step())
                select.reset()
            }
        } setup: {
            try Loaded(backend, rows: rows)
        }
    }

    asOfBenchmarks(rows: rows)
    checksumBenchmarks(rows: rows)
}

enum Backend: String, CaseIterable, CustomStringConvertible {
    case memdb
    case backtrack

    var description: String { rawValue }

    nonisolated(unsafe) static var counter = 0

    /// A connection to a new, empty database of this backend, and the manual clock of its store if it has one.
    func connect() throws -> (db: SQLiteConnection, clock: ManualClock?) {
        switch self {
        case .memdb:
            Backend.counter += 1
            return (try Sysbench.memdb("bench-\(Backend.counter)"), nil)
        case .backtrack:
            let volume = try SysbenchVolume()
            return (try volume.connect(), volume.clock)
        }
    }
}

/// SQLite's page traffic with the VFS, per operation, in hundredths (custom metrics are integers).
enum VFSTraffic {
    static let pagesRead = BenchmarkMetric.custom("VFS page reads per op (x100)", useScalingFactor: false)
    static let pagesWritten = BenchmarkMetric.custom("VFS page writes per op (x100)", useScalingFactor: false)
    static var metrics: [BenchmarkMetric] { [pagesRead, pagesWritten] }

    static func report(_ counters: PageCacheCounters, per operations: Int, to benchmark: Benchmark) {
        benchmark.measurement(pagesRead, counters.misses * 100 / max(operations, 1))
        benchmark.measurement(pagesWritten, counters.writes * 100 / max(operations, 1))
    }
}

/// A backend's database with the sysbench table loaded.
final class Loaded: @unchecked Sendable {
    // @unchecked: built in setup, then used by one benchmark on one thread.
    let db: SQLiteConnection
    /// The store's clock, for the backtrack backend.
    let clock: ManualClock?

    init(_ backend: Backend, rows: Int) throws {
        (db, clock) = try backend.connect()
        var sysbench = Sysbench(rows: rows)
        try sysbench.load(db)
    }
}

/// A full-table aggregate through a fresh connection: at an old state (a pinned read view, after 20,000 write
/// transactions) and at the head, on the same volume.
func asOfBenchmarks(rows: Int) {
    final class History: @unchecked Sendable {
        // @unchecked: built in setup, then used by one benchmark on one thread.
        let volume: SysbenchVolume
        let token: ViewToken

        init(rows: Int) throws {
            volume = try SysbenchVolume()
            let db = try volume.connect()
            var sysbench = Sysbench(rows: rows)
            try sysbench.load(db)
            volume.clock.advance(seconds: 1)
            let view = try volume.store.readView(of: volume.volume)
            token = volume.vfs.register(view)
            let transaction = try Sysbench.WriteTransaction(db)
            for _ in 0..<20_000 {
                volume.clock.advance(microseconds: 1000)
                try transaction.run(&sysbench)
            }
        }
    }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock], warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 15)
    for pinned in [false, true] {
        Benchmark(
            "Full-table count and sum, fresh connection/rows:\(rows),\(pinned ? "old state" : "head")",
            configuration: configuration
        ) { benchmark, history in
            for _ in benchmark.scaledIterations {
                let db = try! SQLiteConnection(
                    vfs: history.volume.vfs, volume: history.volume.volume, file: SysbenchVolume.schema,
                    view: pinned ? history.token : nil)
                blackHole(try! db.prepare("SELECT count(*), sum(k) FROM sbtest1").rows())
            }
        } setup: {
            try History(rows: rows)
        }
    }
}

/// CHECKSUM TABLE of the 1,000,000-row table, in utf8mb4 (Aurora MySQL 3's default) and latin1.
func checksumBenchmarks(rows: Int) {
    final class Table: @unchecked Sendable {
        // @unchecked: built in setup, then used by one benchmark on one thread.
        let session: Session

        init(rows: Int, charset: String) throws {
            let volume = try SysbenchVolume()
            try volume.sql.createDatabase(SysbenchVolume.schema)
            session = try volume.sql.session(database: SysbenchVolume.schema)
            try session.execute(Sysbench.createTable + " DEFAULT CHARSET=\(charset)")
            let db = try volume.connect()
            var sysbench = Sysbench(rows: rows)
            let insert = try db.prepare("INSERT INTO sbtest1(k, c, pad) VALUES (?, ?, ?)")
            try db.execute("BEGIN")
            for _ in 0..<rows {
                insert.reset()
                try insert.bind(.integer(Int64(sysbench.random.next() % UInt64(rows)) + 1), at: 0)
                try insert.bind(.text(sysbench.digits(groups: 10)), at: 1)
                try insert.bind(.text(sysbench.digits(groups: 5)), at: 2)
                _ = try insert.step()
            }
            try db.execute("COMMIT")
        }
    }
    for charset in ["utf8mb4", "latin1"] {
        Benchmark(
            "CHECKSUM TABLE/rows:\(rows),\(charset)",
            configuration: .init(
                metrics: [.wallClock], warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20),
                maxIterations: 7)
        ) { benchmark, table in
            for _ in benchmark.scaledIterations { blackHole(try! table.session.checksum("sbtest1")) }
        } setup: {
            try Table(rows: rows, charset: charset)
        }
    }
}
