import ClusterControl
import PageStore
import SQLFacade
import Testing

@Suite struct BacktrackTests {
    @Test func backAndForthFollowsTheWallClockHistory() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY)")
        let t1 = try lab.run("INSERT INTO t VALUES (1)")
        let t2 = try lab.run("INSERT INTO t VALUES (2)")
        try lab.run("DELETE FROM t")  // the mistake
        lab.clock.advance(seconds: 10)
        // Back past both inserts' times: only the first row.
        let first = try lab.control.backtrack("lab", to: t1)
        #expect(try lab.rows() == ["1"])
        #expect(first.backtrackTo <= t1 && first.status == .completed)
        let backtrackTime = lab.clock.now()
        lab.clock.advance(seconds: 10)
        let t3 = try lab.run("INSERT INTO t VALUES (3)")
        lab.clock.advance(seconds: 10)
        // Forward, between the target and the first backtrack: the original state at t2.
        try lab.control.backtrack("lab", to: t2)
        #expect(try lab.rows() == ["1", "2"])
        // Forward again, after the first backtrack: the rewound state plus the write made after it.
        lab.clock.advance(seconds: 10)
        try lab.control.backtrack("lab", to: t3)
        #expect(try lab.rows() == ["1", "3"])
        // Back to before the table existed.
        try lab.control.backtrack("lab", to: lab.control.cluster("lab").earliestBacktrackTime!)
        #expect(try lab.tables().isEmpty)
        #expect(backtrackTime > t1)
        let records = try lab.control.backtracks(of: "lab")
        #expect(records.count == 4)
        #expect(records.map(\.requestCreationTime) == records.map(\.requestCreationTime).sorted(by: >))
    }

    @Test func backtrackToIsTheResolvedCommitTime() throws {
        let lab = try Lab()
        let committed = try lab.run("CREATE TABLE t (v INT PRIMARY KEY)")
        lab.clock.advance(seconds: 100)
        let record = try lab.control.backtrack("lab", to: committed.adding(seconds: 50))
        #expect(record.backtrackTo == committed)
        let described = try lab.control.backtracks(of: "lab", identifier: record.identifier.uppercased())
        #expect(described == [record])
        #expect(try lab.control.backtracks(of: "lab", statuses: [.failed]).isEmpty)
        expectRDS(.dbClusterBacktrackNotFound) {
            _ = try lab.control.backtracks(of: "lab", identifier: "00000000-0000-4000-8000-000000000000")
        }
    }

    @Test func sessionsAreEndedAndUncommittedWorkDropped() throws {
        let lab = try Lab()
        let target = try lab.run("CREATE TABLE t (v INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
        let open = try lab.connect()
        try open.execute("BEGIN")
        try open.execute("INSERT INTO t VALUES (2)")
        lab.clock.advance(seconds: 5)
        try lab.control.backtrack("lab", to: target)
        #expect(open.endReason == "the cluster was backtracked")
        expectMySQL(2013) { try open.execute("COMMIT") }
        // The dropped transaction's lock is gone: a new session writes at once.
        try lab.run("INSERT INTO t VALUES (3)")
        #expect(try lab.rows() == ["1", "3"])
    }

    @Test func validationErrorsUseAWSCodes() throws {
        let lab = try Lab()
        let start = lab.clock.now()
        lab.clock.advance(seconds: 10)
        expectRDS(.invalidParameterValue) { try lab.control.backtrack("lab", to: lab.clock.now().adding(seconds: 60)) }
        expectRDS(.invalidParameterValue) { try lab.control.backtrack("lab", to: start.adding(seconds: -60)) }
        let earliest = try lab.control.backtrack(
            BacktrackRequest(
                cluster: "lab", backtrackTo: start.adding(seconds: -60), useEarliestTimeOnPointInTimeUnavailable: true))
        #expect(earliest.backtrackTo >= start)
        expectRDS(.dbClusterNotFound) { try lab.control.backtrack("nope", to: start) }

        let control = lab.control
        try control.createCluster(NewCluster(identifier: "plain"))
        expectRDS(.invalidParameterCombination) { try control.backtrack("plain", to: start) }

        let binlog = try Lab(binlog: true)
        binlog.clock.advance(seconds: 10)
        expectRDS(.invalidParameterCombination) { try binlog.control.backtrack("lab", to: binlog.clock.now()) }
        try binlog.control.backtrack(BacktrackRequest(cluster: "lab", backtrackTo: binlog.clock.now(), force: true))
    }

    @Test func aBusyClusterRefusesBacktracksAndConnections() throws {
        let control = ClusterControl(clock: ManualClock(), settings: ControlSettings(operationDelay: .seconds(60)))
        let created = try control.createCluster(NewCluster(identifier: "slow", backtrackWindow: 600))
        #expect(created.status == .creating)
        #expect(created.earliestBacktrackTime == nil)
        expectRDS(.invalidDBClusterState) { try control.backtrack("slow", to: control.clock.now()) }
        expectRDS(.invalidDBClusterState) {
            try control.createInstance(NewInstance(identifier: "slow-1", cluster: "slow"))
        }
        expectMySQL(3032) { _ = try control.connect(to: "slow") }
    }

    @Test func operationDelayEndsInRealTime() async throws {
        let control = ClusterControl(
            clock: ManualClock(), settings: ControlSettings(operationDelay: .milliseconds(50)))
        try control.createCluster(NewCluster(identifier: "soon", backtrackWindow: 600))
        #expect(try control.cluster("soon").status == .creating)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try control.cluster("soon").status == .available)
        try control.createInstance(NewInstance(identifier: "soon-1", cluster: "soon"))
        #expect(try control.instance("soon-1").status == .creating)
        #expect(try control.instance("soon-1").endpoint == nil)
        try await Task.sleep(for: .milliseconds(120))
        let record = try control.backtrack("soon", to: control.clock.now())
        #expect(record.status == .pending)
        #expect(try control.cluster("soon").status == .backtracking)
        #expect(try control.backtracks(of: "soon").first?.status == .applying)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try control.cluster("soon").status == .available)
        #expect(try control.backtracks(of: "soon").first?.status == .completed)
    }
}
