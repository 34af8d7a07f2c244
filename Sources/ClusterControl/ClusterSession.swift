import PageStore
import SQLFacade
import Synchronization

/// A SQL session on a cluster, as a MySQL connection to its writer sees it.
///
/// The control plane can end it at any time, as Aurora ends connections when a cluster is backtracked or
/// deleted: its open transaction is rolled back and every later call fails with error 2013 (lost connection).
/// Each call holds the session's lock, so a backtrack waits for a running statement to finish and never moves the
/// volume under a transaction that is still writing.
public final class ClusterSession: Sendable {
    public let cluster: ClusterID
    public let connectionID: UInt32
    private let state: Mutex<State>

    private struct State {
        var session: Session?
        var endedBy: String?
        var onEnd: (@Sendable (String) -> Void)?
    }

    init(cluster: ClusterID, connectionID: UInt32, session: sending Session) {
        self.cluster = cluster
        self.connectionID = connectionID
        state = Mutex(State(session: session))
    }

    /// Runs one statement; parameters bind `?` placeholders in order.
    @discardableResult
    public func execute(_ sql: String, parameters: [SQLValue] = []) throws(MySQLError) -> QueryResult {
        try withSession { session throws(MySQLError) in try session.execute(sql, parameters: parameters) }
    }

    /// MariaDB's CHECKSUM TABLE value of `table` in the current schema, now or at `time`; nil if it does not exist.
    public func checksum(_ table: String, at time: Timestamp? = nil) throws(MySQLError) -> UInt32? {
        try withSession { session throws(MySQLError) in try session.checksum(table, at: time) }
    }

    /// The current schema.
    public var database: String? {
        state.withLock { $0.session?.database }
    }

    /// True inside an explicit transaction.
    public var isInTransaction: Bool {
        state.withLock { $0.session?.isInTransaction ?? false }
    }

    /// Why the control plane ended the session, or nil while it is open.
    public var endReason: String? {
        state.withLock { $0.endedBy }
    }

    /// Ends the session, rolling back an open transaction.
    public func close() { _ = tearDown(because: "closed by the client") }

    /// Ends the session from the control plane: waits for a running statement, rolls back, makes every later
    /// call fail, and tells the end handler.
    func end(because reason: String) { tearDown(because: reason)?(reason) }

    /// Rolls back and drops the session once; returns the end handler the first time.
    private func tearDown(because reason: String) -> (@Sendable (String) -> Void)? {
        state.withLock { state -> (@Sendable (String) -> Void)? in
            guard state.endedBy == nil else { return nil }
            state.session?.close()
            state.session = nil
            state.endedBy = reason
            return state.onEnd
        }
    }

    /// Calls `handler` when the control plane ends the session (not when the client closes it): the MySQL
    /// endpoint closes the connection then, as Aurora does.
    public func onEnd(_ handler: @escaping @Sendable (String) -> Void) {
        let endedBy = state.withLock { state -> String? in
            if state.endedBy == nil { state.onEnd = handler }
            return state.endedBy
        }
        if let endedBy { handler(endedBy) }
    }

    /// Runs `body` on the open session under its lock. A `Session` is not thread-safe; the lock serialises the
    /// owner's calls with the control plane ending it.
    public func withSession<R: Sendable>(_ body: (Session) throws(MySQLError) -> R) throws(MySQLError) -> R {
        try state.withLock { state throws(MySQLError) -> R in
            guard let session = state.session else {
                throw MySQLError(
                    code: 2013, sqlState: "HY000",
                    message: "Lost connection to MySQL server during query (\(state.endedBy ?? "ended"))")
            }
            return try body(session)
        }
    }
}

/// The open sessions of one cluster, held weakly: a session the caller dropped needs no ending.
final class SessionRegistry: Sendable {
    private struct Entry {
        weak var session: ClusterSession?
    }

    private let entries = Mutex<[UInt32: Entry]>([:])

    func add(_ session: ClusterSession) {
        entries.withLock { entries in
            entries = entries.filter { $0.value.session != nil }
            entries[session.connectionID] = Entry(session: session)
        }
    }

    /// Ends every session and forgets them.
    func endAll(because reason: String) {
        let sessions = entries.withLock { entries in
            defer { entries.removeAll() }
            return entries.values.compactMap(\.session)
        }
        for session in sessions { session.end(because: reason) }
    }

    var openCount: Int {
        entries.withLock { entries in entries.values.count { $0.session?.endReason == nil } }
    }
}
