import CSQLite
import Foundation
import PageStore
import Testing

@testable import SQLiteVFS

/// A store, its VFS and one volume, on a manual clock.
struct Fixture {
    let clock = ManualClock()
    let store: PageStore
    let vfs: StoreVFS
    let volume: VolumeID

    init(window: Int64 = 3600) throws {
        store = PageStore(clock: clock)
        vfs = StoreVFS(store: store)
        volume = try store.createVolume(retention: RetentionSettings(windowSeconds: window))
    }

    func connect(_ file: String = "main.db", view: ViewToken? = nil) throws -> SQLiteConnection {
        try SQLiteConnection(vfs: vfs, volume: volume, file: file, view: view)
    }

    var lsn: LSN { try! store.head(of: volume).position.lsn }

    /// Runs `body` with a token for a read view pinned at the head as it is now.
    func withPinnedHead<R>(_ body: (ViewToken) throws -> R) throws -> R {
        let token = vfs.register(try store.readView(of: volume))
        defer { vfs.unregister(token) }
        return try body(token)
    }
}

/// `series(N)` in test SQL: the numbers 1...N as a column `value` (Debian's SQLite has no generate_series).
func series(_ sql: String) -> String {
    guard let range = sql.range(of: #"series\((\d+)\)"#, options: .regularExpression) else { return sql }
    let count = sql[range].dropFirst(7).dropLast()
    let cte =
        "(WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < \(count)) SELECT value FROM s)"
    return sql.replacingCharacters(in: range, with: cte)
}

extension SQLiteConnection {
    func run(_ sql: String) throws { try execute(series(sql)) }

    func scalar(_ sql: String) throws -> SQLiteValue {
        let statement = try prepare(sql)
        guard try statement.step() else { return .null }
        return statement.value(0)
    }

    func integer(_ sql: String) throws -> Int64 {
        guard case .integer(let value) = try scalar(sql) else { return -1 }
        return value
    }

    func expectIntegrity() throws {
        #expect(try scalar("PRAGMA integrity_check") == .text("ok"))
    }
}

@Suite("SQLite on the page store")
struct VFSTests {
    @Test func everyCommittedTransactionIsExactlyOneCommit() throws {
        let fixture = try Fixture()
        let db = try fixture.connect()
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        let before = fixture.lsn
        try db.execute("INSERT INTO t(v) VALUES ('a')")
        #expect(fixture.lsn == before.next)
        try db.execute(
            "BEGIN; INSERT INTO t(v) VALUES ('b'); INSERT INTO t(v) VALUES ('c'); UPDATE t SET v = 'x'; COMMIT")
        #expect(fixture.lsn == before.next.next)
        try db.execute("BEGIN IMMEDIATE; COMMIT")
        try db.execute("UPDATE t SET v = 'y' WHERE id = 99")
        #expect(fixture.lsn == before.next.next, "a transaction that changes nothing makes no commit")
        #expect(try db.integer("SELECT count(*) FROM t WHERE v = 'x'") == 3)
        try db.expectIntegrity()
    }

    @Test(arguments: ["full", "spill", "savepoint", "failed statement"])
    func rollbacksLeaveNoTrace(kind: String) throws {
        let fixture = try Fixture()
        let db = try fixture.connect()
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        try db.execute("INSERT INTO t(v) VALUES ('keep')")
        let before = try fixture.store.head(of: fixture.volume)
        switch kind {
        case "full":
            try db.execute("BEGIN; INSERT INTO t(v) VALUES ('gone'); ROLLBACK")
        case "spill":
            // A 10-page cache forces the pager to write dirty pages to the VFS before the transaction ends.
            try db.execute("PRAGMA cache_size = 10")
            try db.execute("BEGIN")
            try db.run(
                "INSERT INTO t(v) SELECT printf('%.500d', value) FROM series(2000)")
            try db.execute("ROLLBACK")
        case "savepoint":
            try db.execute("BEGIN; SAVEPOINT s; INSERT INTO t(v) VALUES ('gone'); ROLLBACK TO s; RELEASE s; COMMIT")
        default:
            try db.execute("BEGIN")
            #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO t(v) VALUES ('keep')") }
            try db.execute("COMMIT")
        }
        let after = try fixture.store.head(of: fixture.volume)
        #expect(after.digest == before.digest)
        #expect(try db.integer("SELECT count(*) FROM t") == 1)
        try db.expectIntegrity()
        // Nothing of the rolled-back transaction may linger in this connection's handle: another connection's
        // later commit must be what this one reads.
        let other = try fixture.connect()
        try other.execute("UPDATE t SET v = 'changed'; INSERT INTO t(v) VALUES ('more')")
        #expect(try db.integer("SELECT count(*) FROM t WHERE v IN ('changed', 'more')") == 2)
        try db.expectIntegrity()
    }

    @Test func vacuumAndPageSizeChangesKeepTheDatabaseWhole() throws {
        let fixture = try Fixture()
        let db = try fixture.connect()
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        try db.run("INSERT INTO t(v) SELECT printf('%.200d', value) FROM series(3000)")
        for size in [8192, 1024, 65536, 4096] {
            try db.execute("PRAGMA page_size = \(size); VACUUM")
            #expect(try db.integer("PRAGMA page_size") == Int64(size))
            #expect(try db.integer("SELECT count(*) FROM t") == 3000)
            try db.expectIntegrity()
            try fixture.connect().expectIntegrity()
        }
        try db.execute("DELETE FROM t WHERE id % 2 = 0; VACUUM")
        #expect(try fixture.connect().integer("SELECT count(*) FROM t") == 1500)
    }

    @Test func twoWritersWaitForEachOtherUnderTheBusyTimeout() async throws {
        let fixture = try Fixture()
        try fixture.connect().execute("CREATE TABLE t(id INTEGER PRIMARY KEY, writer INTEGER)")
        let before = fixture.lsn
        let vfs = fixture.vfs
        let volume = fixture.volume
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    let db = try SQLiteConnection(vfs: vfs, volume: volume, file: "main.db")
                    for _ in 0..<300 {
                        try db.execute("BEGIN IMMEDIATE; INSERT INTO t(writer) VALUES (\(writer)); COMMIT")
                    }
                }
            }
            try await group.waitForAll()
        }
        let db = try fixture.connect()
        #expect(try db.integer("SELECT count(*) FROM t") == 600)
        #expect(fixture.lsn.rawValue == before.rawValue + 600)
        try db.expectIntegrity()
    }

    @Test func aWriterWaitsOutItsBusyTimeoutThenGetsBusyAndLaterTheLock() throws {
        let fixture = try Fixture()
        let holder = try fixture.connect()
        try holder.execute("CREATE TABLE t(x INTEGER)")
        try holder.execute("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
        let waiter = try SQLiteConnection(
            vfs: fixture.vfs, volume: fixture.volume, file: "main.db", busyTimeoutMilliseconds: 200)
        let start = ContinuousClock.now
        let refused = #expect(throws: SQLiteError.self) { try waiter.execute("INSERT INTO t VALUES (2)") }
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        #expect(refused.map { $0.code & 0xFF } == SQLITE_BUSY)
        try holder.execute("COMMIT")
        try waiter.execute("INSERT INTO t VALUES (2)")
        #expect(try holder.integer("SELECT sum(x) FROM t") == 3)
    }

    @Test func aPinnedReaderSeesItsStateAndNeverBlocksAWriter() throws {
        let fixture = try Fixture()
        let writer = try fixture.connect()
        try writer.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)")
        try writer.run("INSERT INTO t(v) SELECT value FROM series(1000)")
        try fixture.withPinnedHead { token in
            let reader = try fixture.connect(view: token)
            let statement = try reader.prepare("SELECT v FROM t ORDER BY id")
            #expect(try statement.step())  // holds a read transaction open
            for round in 0..<20 {
                try writer.execute("UPDATE t SET v = v + 1; INSERT INTO t(v) VALUES (\(round))")
            }
            statement.reset()
            #expect(try reader.integer("SELECT sum(v) FROM t") == 500_500)
            #expect(try writer.integer("SELECT count(*) FROM t") == 1020)
            try reader.expectIntegrity()
            #expect(throws: SQLiteError.self) { try reader.execute("INSERT INTO t(v) VALUES (1)") }
        }
    }

    /// Pages SQLite only reads are lent in place (xFetch), at the head and at a pinned state, and every page lent
    /// comes back when the statement is done: a page kept would pin its image, one returned twice would free it
    /// under a reader.
    @Test func readersAreLentPagesInPlaceAndGiveEveryOneBack() throws {
        let fixture = try Fixture()
        let writer = try fixture.connect()
        try writer.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        try writer.run("INSERT INTO t(v) SELECT printf('%0300d', value) FROM series(2000)")
        try fixture.withPinnedHead { token in
            try writer.execute("UPDATE t SET v = 'changed' WHERE id % 2 = 0")
            for (reader, changedRows) in [(try fixture.connect(), 1000), (try fixture.connect(view: token), 0)] {
                let statement = try reader.prepare("SELECT v FROM t")
                var (rows, changed) = (0, 0)
                while try statement.step() {
                    rows += 1
                    if statement.value(0) == .text("changed") { changed += 1 }
                    if rows == 500 { #expect(reader.lentPages > 0, "a scan reads lent pages") }
                }
                #expect(rows == 2000 && changed == changedRows)
                statement.reset()
                #expect(reader.lentPages == 0, "every lent page comes back")
                try reader.expectIntegrity()
                #expect(reader.lentPages == 0)
            }
        }
    }

    @Test func pageCacheCountersCountWhatReachesTheVFS() throws {
        let fixture = try Fixture()
        let writer = try fixture.connect()
        try writer.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        try writer.run("INSERT INTO t(v) SELECT printf('%0300d', value) FROM series(2000)")
        let pages = Int(try writer.integer("PRAGMA page_count"))

        // SQLite counts neither a hit nor a miss for a page it is lent (xFetch), so this reader copies every page.
        let reader = try fixture.connect()
        try reader.execute("PRAGMA mmap_size=0")
        _ = reader.pageCacheCounters(reset: true)
        #expect(try reader.integer("SELECT count(*) FROM t WHERE v <> ''") == 2000)
        let cold = reader.pageCacheCounters(reset: true)
        #expect(cold.misses >= pages - 1 && cold.misses <= pages, "a cold scan reads every page once")
        #expect(cold.writes == 0)
        #expect(try reader.integer("SELECT count(*) FROM t WHERE v <> ''") == 2000)
        let warm = reader.pageCacheCounters()
        #expect(warm.misses == 0 && warm.hits >= pages - 1, "a warm scan is served by SQLite's cache")

        _ = writer.pageCacheCounters(reset: true)
        try writer.execute("UPDATE t SET v = 'x' WHERE id = 1")
        #expect(writer.pageCacheCounters().writes == 2, "the row's leaf and page 1 (the change counter)")
    }

    @Test func noConnectionServesStalePagesAfterABacktrackOrABranch() throws {
        let fixture = try Fixture()
        let a = try fixture.connect()
        let b = try fixture.connect()
        try a.execute("CREATE TABLE t(x INTEGER)")
        try a.execute("INSERT INTO t VALUES (1)")
        fixture.clock.advance(seconds: 1)
        let one = fixture.clock.now()
        fixture.clock.advance(seconds: 1)
        try a.execute("UPDATE t SET x = 2")
        #expect(try b.integer("SELECT x FROM t") == 2)  // b caches the state with x = 2
        fixture.clock.advance(seconds: 1)
        try fixture.store.backtrack(fixture.volume, to: one)
        #expect(try b.integer("SELECT x FROM t") == 1, "an idle connection notices the backtrack")
        // A new branch: its first commit must not reuse the change counter of the discarded x = 2 state,
        // or a connection that cached that state would keep serving it.
        let c = try fixture.connect()
        #expect(try c.integer("SELECT x FROM t") == 1)
        fixture.clock.advance(seconds: 1)
        try fixture.store.backtrack(fixture.volume, to: fixture.clock.now().adding(seconds: -2))  // forward to x = 2
        #expect(try c.integer("SELECT x FROM t") == 2)
        try fixture.store.backtrack(fixture.volume, to: one)
        try a.execute("UPDATE t SET x = 3")
        #expect(try c.integer("SELECT x FROM t") == 3)
        #expect(try b.integer("SELECT x FROM t") == 3)
        try b.expectIntegrity()
    }

    @Test func missingDatabasesAreNotCreatedUnlessAsked() throws {
        let fixture = try Fixture()
        #expect(throws: SQLiteError.self) {
            _ = try SQLiteConnection(vfs: fixture.vfs, volume: fixture.volume, file: "nope", create: false)
        }
        #expect(throws: SQLiteError.self) {
            _ = try SQLiteConnection(vfs: fixture.vfs, volume: VolumeID(rawValue: 999), file: "x")
        }
    }

    @Test func sqliteReadsTheStoresClock() throws {
        let fixture = try Fixture()
        fixture.clock.set(Timestamp(seconds: 1_800_000_000))
        #expect(try fixture.connect().scalar("SELECT datetime('now')") == .text("2027-01-15 08:00:00"))
    }
}
