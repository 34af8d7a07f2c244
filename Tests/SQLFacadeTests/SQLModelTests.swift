import PageStore
import SQLiteVFS
import Testing

@testable import SQLFacade

/// Random DDL and DML, commits and rollbacks, backtracks, clones and AS OF reads, run against the façade and
/// against a reference: a plain in-memory SQLite database copied (serialized) at every commit. Row dumps and
/// CHECKSUM TABLE must agree after every step, and AS OF reads must return the reference's rows at that time.
///
/// Replay a failure with `BACKTRACK_SEED=<seed> swift test --filter SQLModelTests`.
@Suite("SQL-level model test")
struct SQLModelTests {
    static var seeds: [UInt64] {
        if let text = getenv("BACKTRACK_SEED").map({ String(cString: $0) }), let seed = UInt64(text) { return [seed] }
        let fresh = UInt64.random(in: 0...UInt64.max)
        print("SQLModelTests: fresh seed \(fresh) (replay with BACKTRACK_SEED=\(fresh))")
        return [7, 11, 2024, 65_537, fresh]
    }

    @Test(arguments: seeds)
    func facadeMatchesPlainSQLite(seed: UInt64) throws {
        var model = try SQLModel(seed: seed)
        for step in 0..<150 {
            try model.step()
            if let problem = try model.check() {
                Issue.record("seed \(seed), step \(step), after \(model.lastAction): \(problem)")
                return
            }
        }
    }
}

struct SQLModel {
    struct Replica {
        let volume: SQLVolume
        var session: Session
        let reference: SQLiteConnection
        /// The wall-clock history of the reference: every commit's and backtrack's state.
        var events: [(time: Timestamp, state: [UInt8])]
        let createdAt: Timestamp
    }

    var random: SplitMix64
    let clock = ManualClock(Timestamp(seconds: 1_800_000_000))
    let store: PageStore
    let vfs: StoreVFS
    var replicas: [Replica] = []
    var current = 0
    var lastAction = "start"
    static let tables = ["t1", "t2"]

    init(seed: UInt64) throws {
        random = SplitMix64(seed: seed)
        store = PageStore(clock: clock)
        vfs = StoreVFS(store: store)
        let id = try store.createVolume(
            retention: RetentionSettings(windowSeconds: 86_400, restoreWindowSeconds: 86_400))
        let volume = SQLVolume(vfs: vfs, volume: id)
        try volume.createDatabase("db")
        let reference = try SQLiteConnection(uri: ":memory:")
        replicas.append(
            Replica(
                volume: volume, session: try volume.session(database: "db"), reference: reference,
                events: [(clock.now(), reference.serialize())], createdAt: clock.now()))
    }

    mutating func step() throws {
        let roll = random.next() % 100
        switch roll {
        case 0..<40: try statement(randomDML())
        case 40..<55: try transaction()
        case 55..<63: try statement(randomDDL())
        case 63..<75:
            let seconds = Int64(random.next() % 20) + 1
            lastAction = "clock +\(seconds) s"
            clock.advance(seconds: seconds)
        case 75..<85: try backtrack()
        case 85..<89: try clone()
        case 89..<96: try asOf()
        default:
            current = Int(random.next() % UInt64(replicas.count))
            lastAction = "switch to replica \(current)"
        }
    }

    func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func randomDML() -> String {
        let table = pick(Self.tables, &random)
        let id = random.next() % 30 + 1
        let k = Int64(random.next() % 1000) - 500
        switch random.next() % 4 {
        case 0: return "INSERT INTO \(table) (id, k, c) VALUES (\(id), \(k), 'v\(random.next() % 100)')"
        case 1: return "UPDATE \(table) SET k = k + \(k), c = 'u\(random.next() % 10)' WHERE id % 3 = \(id % 3)"
        case 2: return "DELETE FROM \(table) WHERE id = \(id)"
        default: return "INSERT INTO \(table) (id, k, c) VALUES (\(id), NULL, NULL)"
        }
    }

    mutating func randomDDL() -> String {
        let table = pick(Self.tables, &random)
        switch random.next() % 3 {
        case 0: return "CREATE TABLE IF NOT EXISTS \(table) (id INT PRIMARY KEY, k INT, c VARCHAR(20))"
        case 1: return "DROP TABLE IF EXISTS \(table)"
        default: return "CREATE INDEX IF NOT EXISTS \(table)_k ON \(table) (k)"
        }
    }

    /// Runs one autocommit statement on both sides: they must both fail or both succeed.
    mutating func statement(_ sql: String) throws {
        lastAction = sql
        let replica = replicas[current]
        let facade = Result { () throws(MySQLError) in try replica.session.execute(sql) }
        let reference = Result { () throws(SQLiteError) in try replica.reference.execute(sql) }
        switch (facade, reference) {
        case (.success, .success): recordCommit()
        case (.failure, .failure): break
        case (.success, .failure(let error)): Issue.record("façade ran \(sql); SQLite refused: \(error)")
        case (.failure(let error), .success): Issue.record("façade refused \(sql): \(error)")
        }
    }

    mutating func transaction() throws {
        let replica = replicas[current]
        try replica.session.execute("BEGIN")
        try replica.reference.execute("BEGIN")
        var statements: [String] = []
        for _ in 0..<(random.next() % 4 + 1) {
            let sql = randomDML()
            statements.append(sql)
            let failedHere = (try? replica.session.execute(sql)) == nil
            let failedThere = (try? replica.reference.execute(sql)) == nil
            if failedHere != failedThere { Issue.record("\(sql) inside a transaction: façade failed \(failedHere)") }
        }
        let commit = random.next() % 2 == 0
        lastAction = "BEGIN; \(statements.joined(separator: "; ")); \(commit ? "COMMIT" : "ROLLBACK")"
        try replica.session.execute(commit ? "COMMIT" : "ROLLBACK")
        try replica.reference.execute(commit ? "COMMIT" : "ROLLBACK")
        if commit { recordCommit() }
    }

    mutating func recordCommit() {
        replicas[current].events.append((clock.now(), replicas[current].reference.serialize()))
    }

    /// The reference's state at `time`: the last event at or before it.
    func state(_ replica: Replica, at time: Timestamp) -> [UInt8] {
        replica.events.last { $0.time <= time }!.state
    }

    mutating func backtrack() throws {
        var replica = replicas[current]
        let span = UInt64(max(0, clock.now().microseconds - replica.createdAt.microseconds))
        let time = replica.createdAt.adding(microseconds: Int64(random.next() % (span + 1)))
        lastAction = "backtrack replica \(current) to \(time)"
        replica.session.close()
        try store.backtrack(replica.volume.volume, to: time)
        let state = state(replica, at: time)
        try replica.reference.deserialize(state)
        replica.events.append((clock.now(), state))
        replica.session = try replica.volume.session(database: "db")
        replicas[current] = replica
    }

    mutating func clone() throws {
        guard replicas.count < 4 else { return }
        let source = replicas[current]
        lastAction = "clone replica \(current)"
        let id = try store.clone(source.volume.volume, retention: RetentionSettings(windowSeconds: 86_400))
        let volume = SQLVolume(vfs: vfs, volume: id)
        let reference = try SQLiteConnection(uri: ":memory:")
        let state = source.reference.serialize()
        try reference.deserialize(state)
        replicas.append(
            Replica(
                volume: volume, session: try volume.session(database: "db"), reference: reference,
                events: [(clock.now(), state)], createdAt: clock.now()))
    }

    mutating func asOf() throws {
        let replica = replicas[current]
        let span = UInt64(max(1, clock.now().microseconds - replica.createdAt.microseconds) / 1_000_000)
        let seconds = Int64(random.next() % (span + 1))
        let time = Timestamp(seconds: (replica.createdAt.seconds).rounded(.up) + Double(seconds))
        guard time <= clock.now() else { return }
        let table = pick(Self.tables, &random)
        lastAction = "AS OF \(time) on \(table)"
        let expected = try SQLiteConnection(uri: ":memory:")
        try expected.deserialize(state(replica, at: time))
        let want = try? expected.prepare("SELECT id, k, c FROM \(table) ORDER BY id").rows()
        let text = Self.mysqlTimestamp(time)
        let got = try? replica.session.execute(
            "SELECT id, k, c FROM \(table) FOR SYSTEM_TIME AS OF TIMESTAMP '\(text)' ORDER BY id"
        ).rows
        if want != got { Issue.record("AS OF \(text): \(String(describing: got)) vs \(String(describing: want))") }
    }

    static func mysqlTimestamp(_ time: Timestamp) -> String {
        let iso = time.description  // 2027-01-15T08:00:01.000000Z
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(8)
    }

    /// Row dumps and checksums of every table, on every replica.
    func check() throws -> String? {
        for (index, replica) in replicas.enumerated() {
            let tables = try replica.session.execute("SHOW TABLES").textRows.compactMap { $0[0] }
            let referenceTables = try replica.reference.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).rows().compactMap { if case .text(let name) = $0[0] { name } else { nil } }
            guard tables == referenceTables else { return "replica \(index) tables \(tables) vs \(referenceTables)" }
            for table in tables {
                let rows = try replica.session.execute("SELECT id, k, c FROM \(table) ORDER BY id").rows
                let want = try replica.reference.prepare("SELECT id, k, c FROM \(table) ORDER BY id").rows()
                guard rows == want else { return "replica \(index) \(table) rows differ" }
                let checksum = try replica.session.checksum(table)
                let schema = try TableSchema.load(replica.reference, table: table)!
                let expected = try TableChecksum(schema).compute(replica.reference, schema: "main")
                guard checksum == expected else {
                    return "replica \(index) \(table) checksum \(String(describing: checksum)) vs \(expected)"
                }
            }
        }
        return nil
    }
}

#if canImport(Glibc)
    import Glibc
#endif
