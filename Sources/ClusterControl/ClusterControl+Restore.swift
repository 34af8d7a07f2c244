import PageStore
import SQLFacade

extension ClusterControl {
    /// `RestoreDBClusterToPointInTime`: a copy-on-write clone of the source's latest state (O(1), no page
    /// copied) or a full-copy restore of its state at a time in [EarliestRestorableTime, LatestRestorableTime].
    /// The new cluster has no instance. A clone shares the source's `CloneGroupId` (made on the first clone) and
    /// can never backtrack before its own creation.
    @discardableResult
    public func restoreToPointInTime(_ request: PointInTimeRestore) throws(RDSError) -> DBCluster {
        try request.identifier.validate()
        try Validation.backtrackWindow(request.backtrackWindow)
        if let days = request.backupRetentionPeriod { try Validation.backupRetentionPeriod(days) }
        switch (request.restoreToTime, request.useLatestRestorableTime) {
        case (nil, false):
            throw .combination("Either RestoreToTime or UseLatestRestorableTime must be specified.")
        case (.some, true):
            throw .combination("You cannot specify both RestoreToTime and UseLatestRestorableTime.")
        case (.some, false) where request.restoreType == .copyOnWrite:
            throw .combination(
                "RestoreToTime cannot be specified with RestoreType copy-on-write: a clone is always made at the "
                    + "latest restorable time.")
        default: break
        }
        return try withState { state throws(RDSError) in
            let source = try state.cluster(request.source)
            try state.requireNew(request.identifier)
            try requireAvailable(source)
            if request.restoreType == .copyOnWrite, source.instances.isEmpty {
                throw RDSError(
                    .invalidDBClusterState, "DB cluster \(source.id) has no DB instances and cannot be cloned.")
            }
            if request.backtrackWindow > 0, request.restoreType == .copyOnWrite, source.backtrackWindow == 0 {
                throw .combination("Backtrack cannot currently be enabled for this cluster")
            }
            let retention = RetentionSettings(
                windowSeconds: request.backtrackWindow,
                restoreWindowSeconds: Int64(request.backupRetentionPeriod ?? source.backupRetentionPeriod) * 86_400,
                historyBytesMax: source.historyBytesMax)
            let volume: VolumeID
            var cloneGroupID = source.cloneGroupID
            var lineage = request.identifier
            if request.restoreType == .copyOnWrite
                && state.clusters.values.count(where: { $0.lineage == source.lineage && $0.id != $0.lineage })
                    < settings.cloneLimit
            {
                volume = try storeCall { () throws(PageStoreError) in
                    try store.clone(source.volume, retention: retention)
                }
                if cloneGroupID == nil {
                    cloneGroupID = state.uuid()
                    source.cloneGroupID = cloneGroupID
                }
                lineage = source.lineage
            } else {
                let time = try restorableTime(request.restoreToTime, of: source)
                volume = try storeCall { () throws(PageStoreError) in
                    try store.restore(source.volume, to: time, mode: .fullCopy, retention: retention)
                }
            }
            let record = ClusterRecord(
                id: request.identifier, resourceID: state.resourceID(prefix: "cluster-"), engine: source.engine,
                engineVersion: source.engineVersion, masterUsername: source.masterUsername,
                masterPassword: source.masterPassword, databaseName: source.databaseName, volume: volume,
                sql: SQLVolume(vfs: vfs, volume: volume), createTime: clock.now(),
                endpoints: try state.allocateEndpoints(request.identifier, settings: settings),
                backtrackWindow: request.backtrackWindow,
                backupRetentionPeriod: request.backupRetentionPeriod ?? source.backupRetentionPeriod,
                deletionProtection: request.deletionProtection, storageEncrypted: source.storageEncrypted,
                binlogEnabled: source.binlogEnabled, cloneGroupID: cloneGroupID, lineage: lineage,
                historyBytesMax: source.historyBytesMax, phase: busy(.creating))
            return try finishCreating(record, in: &state)
        }
    }

    /// Checks a full-copy restore's time against the restorable range (`InvalidRestoreFault`); nil is the latest.
    private func restorableTime(_ time: Timestamp?, of source: ClusterRecord) throws(RDSError) -> Timestamp? {
        guard let time else { return nil }
        let report = try storeCall { () throws(PageStoreError) in try store.retention(of: source.volume) }
        let latest = clock.now()
        guard time >= report.earliestRestoreTime, time <= latest else {
            throw RDSError(
                .invalidRestore,
                "The restore time \(time.iso8601) is outside the restorable range of DB cluster \(source.id): "
                    + "\(report.earliestRestoreTime.iso8601) to \(latest.iso8601).")
        }
        return time
    }

    // MARK: Snapshots

    /// `CreateDBClusterSnapshot`: a manual snapshot of the cluster's current state, copy-on-write.
    @discardableResult
    public func createSnapshot(_ id: SnapshotID, of cluster: ClusterID) throws(RDSError) -> DBClusterSnapshot {
        try id.validate()
        return try withState { state throws(RDSError) in
            let cluster = try state.cluster(cluster)
            try requireAvailable(cluster)
            return try takeSnapshot(id, of: cluster, in: &state)
        }
    }

    func takeSnapshot(_ id: SnapshotID, of cluster: ClusterRecord, in state: inout ControlState) throws(RDSError)
        -> DBClusterSnapshot
    {
        guard state.snapshots[id] == nil else {
            throw RDSError(
                .dbClusterSnapshotAlreadyExists,
                "Cannot create the cluster snapshot because one with the "
                    + "identifier \(id) already exists.")
        }
        let volume = try storeCall { () throws(PageStoreError) in
            try store.restore(cluster.volume, to: nil, mode: .copyOnWrite, retention: .disabled)
        }
        let bytes = try storeCall { () throws(PageStoreError) in try store.retention(of: volume).liveBytes }
        let phase = busy(SnapshotStatus.creating)
        let done = phase.status(at: .now, after: .available) == .available
        let info = DBClusterSnapshot(
            identifier: id, cluster: cluster.id, engine: cluster.engine, engineVersion: cluster.engineVersion,
            status: done ? .available : .creating, percentProgress: done ? 100 : 0, snapshotCreateTime: clock.now(),
            clusterCreateTime: cluster.createTime, masterUsername: cluster.masterUsername,
            storageEncrypted: cluster.storageEncrypted, bytes: bytes)
        state.snapshots[id] = SnapshotRecord(
            info: info, volume: volume, masterPassword: cluster.masterPassword, databaseName: cluster.databaseName,
            creatingUntil: done ? nil : phase.until)
        state.event(
            "RDS-EVENT-0075", id.rawValue, .dbClusterSnapshot, "Manual cluster snapshot created", ["backup"],
            clock.now())
        return info
    }

    /// `DescribeDBClusterSnapshots`: one snapshot (`DBClusterSnapshotNotFoundFault` if unknown), or all, or a
    /// cluster's, oldest first.
    public func snapshots(_ id: SnapshotID? = nil, cluster: ClusterID? = nil) throws(RDSError) -> [DBClusterSnapshot] {
        try withState { state throws(RDSError) in
            if let id {
                guard let snapshot = state.snapshots[id] else { throw .snapshotNotFound(id) }
                return [snapshot.info]
            }
            return state.snapshots.values.map(\.info).filter { cluster == nil || $0.cluster == cluster }
                .sorted { ($0.snapshotCreateTime, $0.identifier) < ($1.snapshotCreateTime, $1.identifier) }
        }
    }

    /// `RestoreDBClusterFromSnapshot`: a new cluster holding the snapshot's state, copy-on-write. It may enable
    /// backtracking even if the source never had it; it does not join the source's clone group.
    @discardableResult
    public func restoreFromSnapshot(_ request: SnapshotRestore) throws(RDSError) -> DBCluster {
        try request.identifier.validate()
        let engine = try Validation.engine(request.engine)
        try Validation.backtrackWindow(request.backtrackWindow)
        if let days = request.backupRetentionPeriod { try Validation.backupRetentionPeriod(days) }
        return try withState { state throws(RDSError) in
            guard let snapshot = state.snapshots[request.snapshot] else { throw .snapshotNotFound(request.snapshot) }
            guard snapshot.info.status == .available else {
                throw RDSError(.invalidDBClusterSnapshotState, "Snapshot \(request.snapshot) is not available.")
            }
            guard engine == snapshot.info.engine else {
                throw .combination(
                    "The engine \(engine.rawValue) is not compatible with the snapshot's engine "
                        + "\(snapshot.info.engine.rawValue).")
            }
            try state.requireNew(request.identifier)
            let days = request.backupRetentionPeriod ?? 1
            let retention = RetentionSettings(
                windowSeconds: request.backtrackWindow, restoreWindowSeconds: Int64(days) * 86_400)
            let volume = try storeCall { () throws(PageStoreError) in
                try store.clone(snapshot.volume, retention: retention)
            }
            let record = ClusterRecord(
                id: request.identifier, resourceID: state.resourceID(prefix: "cluster-"), engine: engine,
                engineVersion: snapshot.info.engineVersion, masterUsername: snapshot.info.masterUsername,
                masterPassword: snapshot.masterPassword, databaseName: snapshot.databaseName, volume: volume,
                sql: SQLVolume(vfs: vfs, volume: volume), createTime: clock.now(),
                endpoints: try state.allocateEndpoints(request.identifier, settings: settings),
                backtrackWindow: request.backtrackWindow, backupRetentionPeriod: days,
                deletionProtection: request.deletionProtection, storageEncrypted: snapshot.info.storageEncrypted,
                binlogEnabled: false, cloneGroupID: nil, lineage: request.identifier, historyBytesMax: nil,
                phase: busy(.creating))
            return try finishCreating(record, in: &state)
        }
    }
}
