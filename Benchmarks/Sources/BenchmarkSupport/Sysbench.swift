import PageStore
import SQLFacade
import SQLiteVFS
import Workload

/// sysbench's `sbtest1` workload on any SQLite connection, with prepared statements: the same SQL for the page
/// store's VFS and for SQLite's own in-memory `memdb` VFS, so the two are compared like for like. Rows come from
/// `Workload.Sysbench`, as `backtrack lab` and `backtrack bench` make them.
extension Sysbench {
    /// sysbench's table in SQLite's dialect, for connections without the MySQL façade.
    public static let sqliteCreateTable =
        "CREATE TABLE sbtest1(id INTEGER NOT NULL, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, "
        + "pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))"

    public init(rows: Int, seed: UInt64 = 1) { self.init(tableSize: rows, seed: seed) }

    public var rows: Int { tableSize }

    /// A connection to a fresh memdb database, set up as the page store's connections are.
    public static func memdb(_ name: String) throws -> SQLiteConnection {
        let db = try SQLiteConnection(uri: "file:/\(name)?vfs=memdb")
        try db.execute("PRAGMA journal_mode=MEMORY")
        return db
    }

    /// Creates the table and loads `rows` rows in transactions of `batch` rows, then `CREATE INDEX k_1`.
    public mutating func load(_ db: SQLiteConnection, batch: Int = 10_000) throws {
        try db.execute(Self.sqliteCreateTable)
        let insert = try db.prepare("INSERT INTO sbtest1(k, c, pad) VALUES (?, ?, ?)")
        var loaded = 0
        while loaded < rows {
            try db.execute("BEGIN")
            for _ in 0..<min(batch, rows - loaded) {
                insert.reset()
                try insert.bind(.integer(Int64(random.next() % UInt64(rows)) + 1), at: 0)
                try insert.bind(.text(digits(groups: 10)), at: 1)
                try insert.bind(.text(digits(groups: 5)), at: 2)
                _ = try insert.step()
            }
            try db.execute("COMMIT")
            loaded += batch
        }
        try db.execute("CREATE INDEX k_1 ON sbtest1(k)")
    }

    /// sysbench `oltp_write_only`'s transaction: UPDATE k, UPDATE c, DELETE, INSERT of the deleted id.
    public final class WriteTransaction {
        let begin, updateK, updateC, delete, insert, commit: SQLiteStatement

        public init(_ db: SQLiteConnection) throws {
            begin = try db.prepare("BEGIN")
            updateK = try db.prepare("UPDATE sbtest1 SET k=k+1 WHERE id=?")
            updateC = try db.prepare("UPDATE sbtest1 SET c=? WHERE id=?")
            delete = try db.prepare("DELETE FROM sbtest1 WHERE id=?")
            insert = try db.prepare("INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)")
            commit = try db.prepare("COMMIT")
        }

        public func run(_ sysbench: inout Sysbench) throws {
            let rows = UInt64(sysbench.rows)
            let id = Int64(sysbench.random.next() % rows) + 1
            try step(begin)
            try updateK.bind(.integer(Int64(sysbench.random.next() % rows) + 1), at: 0)
            try step(updateK)
            try updateC.bind(.text(sysbench.digits(groups: 10)), at: 0)
            try updateC.bind(.integer(Int64(sysbench.random.next() % rows) + 1), at: 1)
            try step(updateC)
            try delete.bind(.integer(id), at: 0)
            try step(delete)
            try insert.bind(.integer(id), at: 0)
            try insert.bind(.integer(Int64(sysbench.random.next() % rows) + 1), at: 1)
            try insert.bind(.text(sysbench.digits(groups: 10)), at: 2)
            try insert.bind(.text(sysbench.digits(groups: 5)), at: 3)
            try step(insert)
            try step(commit)
        }

        private func step(_ statement: SQLiteStatement) throws {
            defer { statement.reset() }
            while try statement.step() {}
        }
    }
}

/// A page store with one volume holding schema `sbtest`, for the SQLite benchmarks.
public struct SysbenchVolume: @unchecked Sendable {
    // @unchecked: built in a benchmark's setup and then used by that benchmark only.
    public let clock: ManualClock
    public let store: PageStore
    public let vfs: StoreVFS
    public let volume: VolumeID
    public static let schema = "sbtest"

    public init() throws {
        clock = ManualClock()
        store = PageStore(clock: clock)
        vfs = StoreVFS(store: store)
        volume = try store.createVolume(
            retention: RetentionSettings(windowSeconds: 86_400, restoreWindowSeconds: 86_400))
    }

    public func connect() throws -> SQLiteConnection {
        try SQLiteConnection(vfs: vfs, volume: volume, file: Self.schema)
    }

    public var sql: SQLVolume { SQLVolume(vfs: vfs, volume: volume) }
}
