import PageStore
import SQLFacade
import SQLiteVFS
import Synchronization

/// Aurora's control plane over one page store: clusters, instances, backtracks, clones, point-in-time restores,
/// snapshots, events and metrics, with the semantics of `rds-query-api.md` §4–§5 and AWS's error codes.
///
/// Every cluster is one volume of the store; its MySQL schemas are SQLite files of that volume. All clusters
/// share the store's clock, so a test with a `ManualClock` controls the time of every cluster at once.
///
///     let clock = ManualClock()
///     let control = ClusterControl(clock: clock)
///     try control.createCluster(NewCluster(identifier: "lab", databaseName: "mylab", backtrackWindow: 86_400))
///     try control.createInstance(NewInstance(identifier: "lab-1", cluster: "lab"))
///     let session = try control.connect(to: "lab", database: "mylab")
public final class ClusterControl: Sendable {
    public let store: PageStore
    public let vfs: StoreVFS
    public let settings: ControlSettings
    let state: Mutex<ControlState>
    private let observers = Mutex<[@Sendable () -> Void]>([])

    public init(clock: any WallClock = SystemClock(), settings: ControlSettings = ControlSettings()) {
        store = PageStore(clock: clock)
        vfs = StoreVFS(store: store)
        self.settings = settings
        state = Mutex(ControlState(seed: settings.seed))
    }

    /// The simulated clock every cluster reads.
    public var clock: any WallClock { store.clock }

    // MARK: Clusters

    /// `CreateDBCluster`. The cluster has no instance yet; create one to connect.
    @discardableResult
    public func createCluster(_ request: NewCluster) throws(RDSError) -> DBCluster {
        try request.identifier.validate()
        let engine = try Validation.engine(request.engine)
        let username = try Validation.masterUsername(request.masterUsername)
        let password = try Validation.masterPassword(request.masterUserPassword)
        let database = try Validation.databaseName(request.databaseName)
        try Validation.backtrackWindow(request.backtrackWindow)
        try Validation.backupRetentionPeriod(request.backupRetentionPeriod)
        return try withState { state throws(RDSError) in
            try state.requireNew(request.identifier)
            let settings = RetentionSettings(
                windowSeconds: request.backtrackWindow,
                restoreWindowSeconds: Int64(request.backupRetentionPeriod) * 86_400,
                historyBytesMax: request.historyBytesMax)
            let volume = try storeCall { () throws(PageStoreError) in try store.createVolume(retention: settings) }
            let sql = SQLVolume(vfs: vfs, volume: volume)
            if let database {
                do { try sql.createDatabase(database) } catch { throw .value("DatabaseName \(database): \(error)") }
            }
            let record = ClusterRecord(
                id: request.identifier, resourceID: state.resourceID(prefix: "cluster-"), engine: engine,
                engineVersion: request.engineVersion ?? engine.defaultVersion, masterUsername: username,
                masterPassword: password, databaseName: database, volume: volume, sql: sql,
                createTime: clock.now(),
                endpoints: try state.allocateEndpoints(request.identifier, settings: self.settings),
                backtrackWindow: request.backtrackWindow, backupRetentionPeriod: request.backupRetentionPeriod,
                deletionProtection: request.deletionProtection, storageEncrypted: request.storageEncrypted,
                binlogEnabled: request.binlogEnabled, cloneGroupID: nil, lineage: request.identifier,
                historyBytesMax: request.historyBytesMax, phase: busy(.creating))
            return try finishCreating(record, in: &state)
        }
    }

    /// `DescribeDBClusters` for one cluster (`DBClusterNotFoundFault` if there is none).
    public func cluster(_ id: ClusterID) throws(RDSError) -> DBCluster {
        try withState { state throws(RDSError) in try describe(state.cluster(id), in: state) }
    }

    /// `DescribeDBClusters` for every cluster, by identifier.
    public func clusters() -> [DBCluster] {
        (try? withState { state throws(RDSError) in
            try state.clusters.keys.sorted().map { id throws(RDSError) in try describe(state.cluster(id), in: state) }
        }) ?? []
    }

    /// `ModifyDBCluster`. Window changes apply at once: lowering the window purges history older than it; a
    /// window of 0 turns backtracking off for good.
    @discardableResult
    public func modifyCluster(_ id: ClusterID, _ change: ClusterModification) throws(RDSError) -> DBCluster {
        if let window = change.backtrackWindow { try Validation.backtrackWindow(window) }
        if let days = change.backupRetentionPeriod { try Validation.backupRetentionPeriod(days) }
        let password = try change.masterUserPassword.map { p throws(RDSError) in try Validation.masterPassword(p) }
        return try withState { state throws(RDSError) in
            let cluster = try state.cluster(id)
            try requireAvailable(cluster)
            if let window = change.backtrackWindow, window > 0, cluster.backtrackLocked {
                throw .combination(
                    "Backtrack cannot currently be enabled for this cluster: DB cluster \(id) was created without "
                        + "backtracking or had it turned off, and it cannot be turned on again.")
            }
            if let window = change.backtrackWindow {
                cluster.backtrackWindow = window
                if window == 0 { cluster.backtrackLocked = true }
            }
            if let days = change.backupRetentionPeriod { cluster.backupRetentionPeriod = days }
            if let protection = change.deletionProtection { cluster.deletionProtection = protection }
            if let password { cluster.masterPassword = password }
            try storeCall { () throws(PageStoreError) in
                try store.setRetention(cluster.retention, of: cluster.volume)
            }
            store.sweep()
            cluster.phase = busy(.modifying)
            return try describe(cluster, in: state)
        }
    }

    /// `DeleteDBCluster`. The cluster must have no instances left; exactly one of `skipFinalSnapshot` and a final
    /// snapshot identifier must be given. Manual snapshots survive the cluster; clones are not affected.
    @discardableResult
    public func deleteCluster(_ id: ClusterID, _ deletion: ClusterDeletion) throws(RDSError) -> DBCluster {
        try withState { state throws(RDSError) in
            let cluster = try state.cluster(id)
            if deletion.skipFinalSnapshot, deletion.finalSnapshotIdentifier != nil {
                throw .combination("You cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot")
            }
            guard deletion.skipFinalSnapshot || deletion.finalSnapshotIdentifier != nil else {
                throw .combination(
                    "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
            }
            guard !cluster.deletionProtection else {
                throw .combination("Cannot delete protected Cluster, please disable deletion protection and try again.")
            }
            guard cluster.instances.isEmpty else {
                throw RDSError(
                    .invalidDBClusterState,
                    "Cluster cannot be deleted, it still contains DB instances in non-deleting state.")
            }
            try requireAvailable(cluster)
            if let final = deletion.finalSnapshotIdentifier {
                _ = try takeSnapshot(final, of: cluster, in: &state)
            }
            cluster.sessions.endAll(because: "the cluster was deleted")
            cluster.phase = busy(.deleting)
            let described = try describe(cluster, in: state)
            state.settle(at: .now, time: clock.now(), store: store)
            return described
        }
    }

    /// Calls `observer` after any cluster is created or removed, so that an endpoint can open and close
    /// listeners. Called outside the control plane's lock.
    public func observeClusters(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func notifyObservers() {
        for observer in observers.withLock({ $0 }) { observer() }
    }

    // MARK: Internals shared by the extensions

    /// Runs `body` on the state after applying the transitions whose time has come.
    func withState<R: Sendable>(_ body: (inout ControlState) throws(RDSError) -> R) throws(RDSError) -> R {
        let now = clock.now()
        var changed = false
        defer { if changed { notifyObservers() } }
        return try state.withLock { state throws(RDSError) -> R in
            let before = state.clusters.count
            // One call creates or removes at most one cluster, so the count tells whether the set changed.
            defer { changed = state.clusters.count != before }
            state.settle(at: .now, time: now, store: store)
            return try body(&state)
        }
    }

    /// A phase that shows `status` for the operation delay (or no time at all).
    func busy<S>(_ status: S) -> Phase<S> {
        Phase(status: status, until: ContinuousClock.now.advanced(by: settings.operationDelay))
    }

    func storeCall<R>(_ body: () throws(PageStoreError) -> R) throws(RDSError) -> R {
        do { return try body() } catch { throw .internalFailure(error) }
    }

    func requireAvailable(_ cluster: ClusterRecord) throws(RDSError) {
        let status = cluster.phase.status(at: .now, after: .available)
        guard status == .available else { throw .clusterState(cluster.id, status) }
    }

    /// Registers a new cluster and its creation event.
    func finishCreating(_ record: ClusterRecord, in state: inout ControlState) throws(RDSError) -> DBCluster {
        state.clusters[record.id] = record
        state.event(
            "RDS-EVENT-0170", record.id.rawValue, .dbCluster, "DB cluster created", ["creation"], clock.now())
        return try describe(record, in: state)
    }

    /// The cluster as `DescribeDBClusters` shows it now. The restorable and backtrack times are absent while it
    /// is being created, as in Aurora.
    func describe(_ cluster: ClusterRecord, in state: ControlState) throws(RDSError) -> DBCluster {
        let status = cluster.phase.status(at: .now, after: .available)
        let report = try storeCall { () throws(PageStoreError) in try store.retention(of: cluster.volume) }
        let ready = status != .creating
        let backtracking = ready && cluster.backtrackWindow > 0
        return DBCluster(
            identifier: cluster.id, resourceID: cluster.resourceID, engine: cluster.engine,
            engineVersion: cluster.engineVersion, status: status, databaseName: cluster.databaseName,
            masterUsername: cluster.masterUsername, endpoint: cluster.endpoint, readerEndpoint: cluster.readerEndpoint,
            createTime: cluster.createTime, backupRetentionPeriod: cluster.backupRetentionPeriod,
            earliestRestorableTime: ready ? report.earliestRestoreTime : nil,
            latestRestorableTime: ready ? clock.now() : nil, backtrackWindow: cluster.backtrackWindow,
            earliestBacktrackTime: backtracking ? report.earliestBacktrackTime : nil,
            backtrackConsumedChangeRecords: backtracking ? report.changeRecords : nil,
            cloneGroupID: cluster.cloneGroupID,
            members: cluster.instances.enumerated().map { DBCluster.Member(instance: $1, isWriter: $0 == 0) },
            deletionProtection: cluster.deletionProtection, storageEncrypted: cluster.storageEncrypted,
            binlogEnabled: cluster.binlogEnabled)
    }
}
