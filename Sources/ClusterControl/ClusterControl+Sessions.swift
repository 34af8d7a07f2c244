import PageStore
import SQLFacade

extension ClusterControl {
    /// Opens a SQL session on the cluster's writer, as a MySQL client connecting to its endpoint. `user` and
    /// `password` default to the master credentials. The cluster must be available with an available writer
    /// instance.
    ///
    /// Errors are MySQL's: 2005 for an unknown cluster (its host does not resolve), 3032 while the cluster cannot
    /// serve (no writer, creating, backtracking), 1045 for wrong credentials, 1049 for an unknown database.
    public func connect(
        to id: ClusterID, user: String? = nil, password: String? = nil, database: String? = nil,
        host: String = "localhost"
    ) throws(MySQLError) -> ClusterSession {
        let now = clock.now()
        let result: Result<ClusterSession, MySQLError> = state.withLock { state in
            state.settle(at: .now, time: now, store: store)
            guard let cluster = state.clusters[id] else {
                return .failure(MySQLError(code: 2005, sqlState: "HY000", message: "Unknown MySQL server host '\(id)'"))
            }
            let status = cluster.phase.status
            let writer = cluster.instances.first.flatMap { state.instances[$0]?.phase.status }
            guard status == .available, writer == .available else {
                let why =
                    writer == nil
                    ? "it has no DB instance" : "it is \(status == .available ? "starting" : status.rawValue)"
                return .failure(
                    MySQLError(
                        code: 3032, sqlState: "HY000",
                        message: "The server is currently in offline mode: DB cluster \(id) (\(why))"))
            }
            let user = user ?? cluster.masterUsername
            guard user == cluster.masterUsername, (password ?? cluster.masterPassword) == cluster.masterPassword else {
                return .failure(
                    MySQLError(
                        code: 1045, sqlState: "28000",
                        message: "Access denied for user '\(user)'@'\(host)' (using password: YES)"))
            }
            do throws(MySQLError) {
                let session = try cluster.sql.session(database: database)
                session.user = "\(user)@\(host)"
                let connectionID = state.connectionID()
                session.connectionID = connectionID
                let wrapped = ClusterSession(cluster: id, connectionID: connectionID, session: session)
                cluster.sessions.add(wrapped)
                return .success(wrapped)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The master user and password of a cluster, for an endpoint that checks a scrambled password itself.
    package func masterCredentials(of id: ClusterID) -> (user: String, password: String)? {
        state.withLock { state in state.clusters[id].map { ($0.masterUsername, $0.masterPassword) } }
    }

    /// The cluster whose endpoint is `endpoint`, for the MySQL listener that serves it.
    public func cluster(at endpoint: Endpoint) -> DBCluster? {
        clusters().first { $0.endpoint == endpoint }
    }
}
