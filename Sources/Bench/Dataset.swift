import ClusterControl
import PageStore
import SQLFacade
import SQLiteVFS
import Workload

/// One generated history on a simulated cluster: sysbench's table loaded, a snapshot (and a saved SQLite copy and,
/// with MariaDB, a dump) taken, then `history` write transactions one simulated second apart, each logged with its
/// commit time as a binary log would be. Every method measures its way back to a target on this same data.
final class Dataset {
    struct Transaction {
        /// Commit time, whole seconds: transaction i commits at `loaded` + i s.
        var time: Timestamp
        var statements: [String]
    }

    static let cluster: ClusterID = "bench"
    static let snapshot: SnapshotID = "bench-snapshot"
    static let database = "mylab"
    static let table = "sbtest1"
    /// Every method's first query on the recovered state: a primary-key read of one row.
    static let firstQuery = "SELECT c FROM sbtest1 WHERE id=1"
    static let start = Timestamp(iso8601: "2026-11-21T00:00:00Z")!

    let scenario: Scenario
    let clock = ManualClock(Dataset.start)
    let control: ClusterControl
    /// The cluster's schemas, for the page-store-level restore.
    let volume: SQLVolume
    /// The database right after the load, copied out of the page store with the backup API into `memdb`.
    let saved: SQLiteConnection
    /// The time of the snapshot; the history starts one second later.
    let loaded: Timestamp
    private(set) var log: [Transaction] = []
    /// The newest state's checksum and wall time.
    let latestChecksum: UInt32?
    let latest: Timestamp
    private var names = 0

    /// Builds the history; `load` and `record` receive the same SQL, for a second database (MariaDB) to mirror.
    init(
        _ scenario: Scenario, seed: UInt64, load: (String) throws -> Void = { _ in }, snapshot: () throws -> Void = {},
        record: (Transaction) throws -> Void = { _ in }
    ) throws {
        self.scenario = scenario
        control = ClusterControl(clock: clock, settings: ControlSettings(seed: seed, cloneLimit: .max))
        try control.createCluster(
            NewCluster(
                identifier: Self.cluster, engine: "aurora", databaseName: Self.database, backtrackWindow: 259_200,
                backupRetentionPeriod: 7))
        try control.createInstance(NewInstance(identifier: "bench-instance", cluster: Self.cluster, engine: "aurora"))
        let session = try control.connect(to: Self.cluster, database: Self.database)
        defer { session.close() }
        volume = try session.withSession { $0.volume }

        var sysbench = Sysbench(tableSize: scenario.rows, seed: seed)
        try sysbench.prepare { statement in
            try session.execute(statement)
            try load(statement)
        }
        clock.advance(seconds: 1)
        loaded = clock.now()
        try control.createSnapshot(Self.snapshot, of: Self.cluster)
        let head = try SQLiteConnection(vfs: volume.vfs, volume: volume.volume, file: Self.database, create: false)
        saved = try SQLiteConnection(uri: "file:/bench-saved-\(scenario.rows)-\(scenario.history)?vfs=memdb")
        try saved.restore(from: head)
        try snapshot()

        for _ in 0..<scenario.history {
            clock.advance(seconds: 1)
            let transaction = Transaction(time: clock.now(), statements: sysbench.writeTransaction())
            for statement in transaction.statements { try session.execute(statement) }
            try record(transaction)
            log.append(transaction)
        }
        latestChecksum = try session.checksum(Self.table)
        latest = clock.now().adding(microseconds: 500_000)
        clock.advance(seconds: 1)
    }

    /// The time of the state `commitsBack` commits before the newest: half a second after its commit.
    func target(commitsBack: Int) -> Timestamp {
        loaded.adding(microseconds: Int64(scenario.history - commitsBack) * 1_000_000 + 500_000)
    }

    /// The logged transactions a replay applies to reach `target`.
    func transactions(until target: Timestamp) -> ArraySlice<Transaction> {
        log.prefix { $0.time <= target }
    }

    /// The target's checksum, read at that time through a pinned connection (no method involved).
    func checksum(at target: Timestamp) throws -> UInt32? {
        let session = try control.connect(to: Self.cluster, database: Self.database)
        defer { session.close() }
        return try session.checksum(Self.table, at: target)
    }

    /// A fresh identifier for a restored cluster or database.
    func name(_ prefix: String) -> String {
        names += 1
        return "\(prefix)-\(names)"
    }
}
