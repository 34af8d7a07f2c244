import ClusterControl
import PageStore
import SQLFacade
import Testing

/// A control plane on a manual clock with one backtrack-enabled cluster `lab` (database `mylab`) and its writer.
struct Lab {
    let clock = ManualClock()
    let control: ClusterControl

    init(window: Int64 = 86_400, binlog: Bool = false, historyBytesMax: Int? = nil) throws {
        control = ClusterControl(clock: clock)
        try control.createCluster(
            NewCluster(
                identifier: "lab", databaseName: "mylab", backtrackWindow: window, binlogEnabled: binlog,
                historyBytesMax: historyBytesMax))
        try control.createInstance(NewInstance(identifier: "lab-1", cluster: "lab"))
    }

    func connect(_ cluster: ClusterID = "lab") throws -> ClusterSession {
        try control.connect(to: cluster, database: "mylab")
    }

    /// Runs statements in one new session, one simulated second apart, and returns the time after the last.
    @discardableResult
    func run(_ statements: String..., on cluster: ClusterID = "lab") throws -> Timestamp {
        let session = try connect(cluster)
        for statement in statements {
            clock.advance(seconds: 1)
            try session.execute(statement)
        }
        session.close()
        return clock.now()
    }

    func rows(_ sql: String = "SELECT v FROM t ORDER BY v", on cluster: ClusterID = "lab") throws -> [String] {
        try connect(cluster).execute(sql).textRows.map { $0[0] ?? "NULL" }
    }

    func tables(on cluster: ClusterID = "lab") throws -> [String] {
        try rows("SHOW TABLES", on: cluster)
    }
}

/// Asserts that `body` throws an `RDSError` with `code`.
func expectRDS(_ code: RDSError.Code, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    expectThrow(RDSError.self, code.rawValue, { $0.code == code }, body, sourceLocation)
}

/// Asserts that `body` throws a `MySQLError` with `code`.
func expectMySQL(_ code: UInt16, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    expectThrow(MySQLError.self, "MySQL error \(code)", { $0.code == code }, body, sourceLocation)
}

private func expectThrow<E: Error>(
    _ type: E.Type, _ expected: String, _ matches: (E) -> Bool, _ body: () throws -> Void,
    _ sourceLocation: SourceLocation
) {
    do {
        try body()
        Issue.record("expected \(expected), got success", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(matches(error), "expected \(expected), got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}
