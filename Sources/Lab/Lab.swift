import ClusterControl
import PageStore
import SQLFacade
import Workload

/// `backtrack lab`: the AWS Aurora workshop's cloning and backtracking labs, replayed in process on a manual
/// clock, with every expectation checked. It doubles as an end-to-end self-check: any failed expectation makes
/// `run()` report failure.
public struct Lab {
    public struct Options: Sendable {
        /// Rows of `sbtest1`; 1,000,000 reproduces the workshop.
        public var tableSize: Int
        public var seed: UInt64
        /// sysbench write transactions replayed in the restore-versus-backtrack step.
        public var transactions: Int

        public init(tableSize: Int = 2_000, seed: UInt64 = 1, transactions: Int = 200) {
            self.tableSize = tableSize
            self.seed = seed
            self.transactions = transactions
        }
    }

    /// The workshop's names and settings.
    static let cluster: ClusterID = "labstack-cluster"
    static let clone: ClusterID = "labstack-cluster-clone"
    static let database = "mylab"
    /// The simulated clock starts here, an hour before the time the workshop's printed commands use.
    static let start = Timestamp(iso8601: "2026-11-21T09:00:00Z")!

    let options: Options
    let clock = ManualClock(Lab.start)
    let control: ClusterControl
    let log: LabLog

    public init(options: Options, write: @escaping (String) -> Void) {
        self.options = options
        control = ClusterControl(clock: clock, settings: ControlSettings(seed: options.seed))
        log = LabLog(write: write)
    }

    /// Runs every step; returns the failed expectations (empty when all held).
    public func run() -> [String] {
        do {
            try setUp()
            let original = try cloneStep()
            try backtrackStep(original: original)
            try backAndForthStep()
            try restoreStep()
        } catch {
            log.fail("unexpected error: \(error)")
        }
        log.drawTimeline()
        log.heading(log.failures.isEmpty ? "All expectations held" : "\(log.failures.count) expectation(s) FAILED")
        return log.failures
    }

    // MARK: Steps

    private func setUp() throws {
        log.heading("Setup: the workshop's cluster and its sysbench table")
        let now = clock.now()
        log.command(
            now,
            "aws rds create-db-cluster --db-cluster-identifier \(Self.cluster) --engine aurora "
                + "--master-username masteruser --master-user-password Password1 --database-name \(Self.database) "
                + "--backtrack-window 86400 --backup-retention-period 7")
        let cluster = try control.createCluster(
            NewCluster(
                identifier: Self.cluster, engine: "aurora", databaseName: Self.database, backtrackWindow: 86_400,
                backupRetentionPeriod: 7))
        log.note("Status: \(cluster.status.rawValue), Endpoint: \(cluster.endpoint)")
        try addInstance(to: Self.cluster)
        log.mark(now, Self.cluster, "●", "created")
        try prepare(on: Self.cluster, seed: options.seed)
    }

    /// Clone: checksum the source, clone it copy-on-write, add an instance, checksum the clone.
    private func cloneStep() throws -> UInt32? {
        log.heading("Lab 1: Cloning a cluster")
        let original = try checksum(on: Self.cluster)
        advance(minutes: 2)
        log.command(
            clock.now(),
            "aws rds restore-db-cluster-to-point-in-time --restore-type copy-on-write --use-latest-restorable-time "
                + "--source-db-cluster-identifier \(Self.cluster) --db-cluster-identifier \(Self.clone) "
                + "--backtrack-window 86400")
        let clone = try control.restoreToPointInTime(.clone(Self.cluster, as: Self.clone, backtrackWindow: 86_400))
        log.note("Status: \(clone.status.rawValue), CloneGroupId: \(clone.cloneGroupID ?? "none"), members: none")
        log.mark(clock.now(), Self.cluster, "⑂", "cloned to \(Self.clone)")
        log.mark(clock.now(), Self.clone, "⑂", "clone of \(Self.cluster)")
        try addInstance(to: Self.clone)
        let cloned = try checksum(on: Self.clone)
        log.expect(cloned != nil && cloned == original, "the clone's checksum equals the source's (\(show(original)))")
        return original
    }

    /// Backtrack on the clone: drop the table by mistake, reload it, go back to just after the drop (no table)
    /// and to just before it (the table with its original checksum).
    private func backtrackStep(original: UInt32?) throws {
        log.heading("Lab 2: Backtracking a cluster (on the clone)")
        advance(minutes: 3)
        let marker1 = try currentTimestamp(on: Self.clone)
        advance(minutes: 1)
        _ = try sql("DROP TABLE sbtest1", on: Self.clone)
        log.mark(clock.now(), Self.clone, "⚠", "DROP TABLE sbtest1")
        advance(minutes: 1)
        let marker2 = try currentTimestamp(on: Self.clone)
        advance(minutes: 1)
        try prepare(on: Self.clone, seed: options.seed &+ 1)
        let reloaded = try checksum(on: Self.clone)
        log.expect(reloaded != original, "the reloaded table's checksum differs (\(show(reloaded)))")
        log.expect(try checksum(on: Self.cluster) == original, "the source still has the original checksum")

        advance(minutes: 2)
        try backtrack(Self.clone, to: marker2, label: "time marker 2")
        let tables = try sql("SHOW TABLES", on: Self.clone).textRows.map { $0[0] ?? "" }
        log.expect(!tables.contains("sbtest1"), "just after the drop, sbtest1 is gone")

        advance(minutes: 2)
        try backtrack(Self.clone, to: marker1, label: "time marker 1")
        let restored = try checksum(on: Self.clone)
        log.expect(restored == original, "just before the drop, sbtest1 is back with the original checksum")

        log.command(clock.now(), "aws rds describe-db-cluster-backtracks --db-cluster-identifier \(Self.clone)")
        for record in try control.backtracks(of: Self.clone) {
            log.note(
                "\(record.identifier)  BacktrackTo \(record.backtrackTo.iso8601(fractionDigits: 0))  "
                    + "BacktrackedFrom \(record.backtrackedFrom.iso8601(fractionDigits: 3))  \(record.status.rawValue)")
        }
    }

    /// Back and forth: two rows inserted at separate times, both deleted by mistake; back to before the table
    /// existed, then forward to just before the delete.
    private func backAndForthStep() throws {
        log.heading("Lab 3: Back and forth in time")
        advance(minutes: 2)
        _ = try sql("CREATE DATABASE backforth", on: Self.cluster)
        advance(minutes: 1)
        let beforeTable = try currentTimestamp(on: Self.cluster, database: "backforth")
        advance(minutes: 1)
        _ = try sql(
            "CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40))", on: Self.cluster, database: "backforth")
        log.mark(clock.now(), Self.cluster, "●", "CREATE TABLE backforth.orders")
        advance(minutes: 1)
        _ = try sql("INSERT INTO orders VALUES (1, 'first')", on: Self.cluster, database: "backforth")
        advance(minutes: 5)
        _ = try sql("INSERT INTO orders VALUES (2, 'second')", on: Self.cluster, database: "backforth")
        advance(minutes: 1)
        let beforeDelete = try currentTimestamp(on: Self.cluster, database: "backforth")
        advance(minutes: 1)
        _ = try sql("DELETE FROM orders", on: Self.cluster, database: "backforth")
        log.mark(clock.now(), Self.cluster, "⚠", "DELETE FROM orders")
        advance(minutes: 2)

        try backtrack(Self.cluster, to: beforeTable, label: "before the table existed")
        let tables = try sql("SHOW TABLES", on: Self.cluster, database: "backforth")
        log.expect(tables.rows.isEmpty, "before the table existed, backforth has no tables")
        advance(minutes: 2)
        try backtrack(Self.cluster, to: beforeDelete, label: "just before the delete (forward)")
        let rows = try sql("SELECT id, item FROM orders ORDER BY id", on: Self.cluster, database: "backforth")
        log.expect(
            rows.textRows == [["1", "first"], ["2", "second"]], "forward to just before the delete: both rows")
    }

    /// Restore instead of backtrack: snapshot, write, then reach the same past time by restoring the snapshot and
    /// replaying the logged transactions, and by backtracking. Same checksum; both durations shown.
    private func restoreStep() throws {
        log.heading("Lab 4: Point-in-time recovery versus backtrack")
        advance(minutes: 2)
        let snapshot: SnapshotID = "labstack-snapshot"
        log.command(
            clock.now(),
            "aws rds create-db-cluster-snapshot --db-cluster-identifier \(Self.cluster) "
                + "--db-cluster-snapshot-identifier \(snapshot)")
        try control.createSnapshot(snapshot, of: Self.cluster)
        log.mark(clock.now(), Self.cluster, "◆", "snapshot \(snapshot)")

        // The workload, logged as a binlog would be: each transaction with its commit time.
        var sysbench = Sysbench(tableSize: options.tableSize, seed: options.seed &+ 2)
        var binlog: [(time: Timestamp, statements: [String])] = []
        let session = try control.connect(to: Self.cluster, database: Self.database)
        let half = options.transactions / 2
        var target = clock.now()
        log.command(clock.now(), "sysbench oltp_write_only --events=\(options.transactions) run  (one per second)")
        for index in 0..<options.transactions {
            clock.advance(seconds: 1)
            let statements = sysbench.writeTransaction()
            for statement in statements { try session.execute(statement) }
            binlog.append((clock.now(), statements))
            if index == half - 1 { target = clock.now().adding(microseconds: 500_000) }
        }
        session.close()
        log.mark(clock.now(), Self.cluster, "●", "\(options.transactions) sysbench transactions")
        log.note("target: the state after transaction \(half), at \(target.mysqlDateTime)")
        advance(minutes: 1)

        let restoreStart = ContinuousClock.now
        let pitr: ClusterID = "labstack-pitr"
        log.command(
            clock.now(),
            "aws rds restore-db-cluster-from-snapshot --db-cluster-identifier \(pitr) --snapshot-identifier "
                + "\(snapshot) --engine aurora  # then replay the binlog up to the target")
        try control.restoreFromSnapshot(SnapshotRestore(identifier: pitr, snapshot: snapshot, engine: "aurora"))
        try control.createInstance(
            NewInstance(identifier: InstanceID("\(pitr)-instance"), cluster: pitr, engine: "aurora"))
        let replay = try control.connect(to: pitr, database: Self.database)
        var replayed = 0
        for transaction in binlog where transaction.time <= target {
            for statement in transaction.statements { try replay.execute(statement) }
            replayed += 1
        }
        let restoreTime = ContinuousClock.now - restoreStart
        let replayedChecksum = try replay.checksum("sbtest1")
        log.mark(clock.now(), pitr, "⑂", "from \(snapshot) + \(replayed) transactions")
        log.note(
            "restore + instance + replay of \(replayed) transactions: \(format(restoreTime)); "
                + "checksum \(show(replayedChecksum))")

        let backtrackStart = ContinuousClock.now
        try backtrack(Self.cluster, to: target, label: "the target")
        let reconnected = try control.connect(to: Self.cluster, database: Self.database)
        let backtrackTime = ContinuousClock.now - backtrackStart
        let backtracked = try reconnected.checksum("sbtest1")
        log.note("backtrack + reconnect: \(format(backtrackTime)); checksum \(show(backtracked))")
        log.expect(
            replayedChecksum != nil && replayedChecksum == backtracked,
            "restore-and-replay and backtrack reach the same checksum")
    }

    // MARK: Helpers

    private func addInstance(to cluster: ClusterID) throws {
        let instance = InstanceID("\(cluster)-instance")
        log.command(
            clock.now(),
            "aws rds create-db-instance --db-instance-class db.r4.large --engine aurora --db-cluster-identifier "
                + "\(cluster) --db-instance-identifier \(instance)")
        let created = try control.createInstance(
            NewInstance(identifier: instance, cluster: cluster, instanceClass: "db.r4.large", engine: "aurora"))
        log.note("\(instance): \(created.status.rawValue), writer: \(created.isWriter)")
    }

    /// sysbench's prepare step, through a session, with progress for large tables.
    private func prepare(on cluster: ClusterID, seed: UInt64) throws {
        log.command(
            clock.now(),
            "sysbench oltp_write_only --threads=1 --mysql-host=<\(cluster) endpoint> --mysql-user=masteruser "
                + "--mysql-password=Password1 --mysql-port=3306 --tables=1 --mysql-db=\(Self.database) "
                + "--table-size=\(options.tableSize) prepare")
        let session = try control.connect(to: cluster, database: Self.database)
        var sysbench = Sysbench(tableSize: options.tableSize, seed: seed)
        var reported = 0
        try sysbench.prepare(
            { statement in try session.execute(statement) },
            progress: { rows in
                if rows - reported >= 100_000 || (rows == options.tableSize && reported > 0) {
                    log.note("inserted \(rows) of \(options.tableSize) rows")
                    reported = rows
                }
            })
        clock.advance(seconds: 5)
        log.note("Creating table 'sbtest1'... Inserting \(options.tableSize) records... Creating a secondary index")
        log.mark(clock.now(), cluster, "●", "sysbench prepare: \(options.tableSize) rows")
    }

    private func sql(_ statement: String, on cluster: ClusterID, database: String = Lab.database) throws -> QueryResult
    {
        let session = try control.connect(to: cluster, database: database)
        defer { session.close() }
        let result = try session.execute(statement)
        log.sql(clock.now(), cluster, statement, result)
        return result
    }

    private func checksum(on cluster: ClusterID) throws -> UInt32? {
        let result = try sql("checksum table sbtest1", on: cluster)
        return result.rows.first.flatMap { row in row[1].mysqlText.flatMap { UInt32($0) } }
    }

    /// `SELECT current_timestamp()`, the workshop's way of taking a time marker.
    private func currentTimestamp(on cluster: ClusterID, database: String = Lab.database) throws -> Timestamp {
        let result = try sql("SELECT current_timestamp()", on: cluster, database: database)
        guard let text = result.textRows.first?.first ?? nil, let time = Timestamp(iso8601: text) else {
            throw LabError("SELECT current_timestamp() did not return a time")
        }
        return time
    }

    private func backtrack(_ cluster: ClusterID, to time: Timestamp, label: String) throws {
        log.command(
            clock.now(),
            "aws rds backtrack-db-cluster --db-cluster-identifier \(cluster) --backtrack-to "
                + "\"\(time.iso8601(fractionDigits: 0))\"")
        let record = try control.backtrack(cluster, to: time)
        log.note(
            "\(record.status.rawValue): BacktrackTo \(record.backtrackTo.iso8601(fractionDigits: 3)) (\(label)), "
                + "status now \(try control.cluster(cluster).status.rawValue)")
        log.mark(clock.now(), cluster, "↶", "backtrack to \(time.mysqlDateTime.suffix(8)) (\(label))")
    }

    private func advance(minutes: Int64) { clock.advance(seconds: minutes * 60) }

    private func show(_ checksum: UInt32?) -> String { checksum.map(String.init) ?? "NULL" }

    private func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return milliseconds < 1 ? "\(Int(milliseconds * 1000)) µs" : "\((milliseconds * 10).rounded() / 10) ms"
    }
}

struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
