import PageStore
import SQLFacade

/// A status that lasts until a deadline in real time, then gives way to the next one (see
/// `ControlSettings.operationDelay`). With no deadline the status holds until something changes it.
struct Phase<Status: Equatable & Sendable> {
    var status: Status
    var until: ContinuousClock.Instant?

    func status(at instant: ContinuousClock.Instant, after: Status) -> Status {
        if let until, instant >= until { return after }
        return status
    }
}

/// One cluster's control-plane state. Guarded by the control plane's lock.
final class ClusterRecord {
    let id: ClusterID
    let resourceID: String
    let engine: Engine
    let engineVersion: String
    let masterUsername: String
    var masterPassword: String
    let databaseName: String?
    let volume: VolumeID
    let sql: SQLVolume
    let createTime: Timestamp
    let endpoint: Endpoint
    let readerEndpoint: Endpoint
    var backtrackWindow: Int64
    /// Once backtracking is off (a window of 0 at creation or later), it can never be turned on again.
    var backtrackLocked: Bool
    var backupRetentionPeriod: Int
    var deletionProtection: Bool
    let storageEncrypted: Bool
    let binlogEnabled: Bool
    var cloneGroupID: String?
    /// The cluster whose copy-on-write lineage this one belongs to, for the clone limit.
    let lineage: ClusterID
    let historyBytesMax: Int?
    var instances: [InstanceID] = []
    /// Oldest first.
    var backtracks: [BacktrackRecord] = []
    var phase: Phase<ClusterStatus>
    /// Whether RDS-EVENT-0131 (actual window smaller than the target) is the last window event raised.
    var windowShort = false
    let sessions = SessionRegistry()

    init(
        id: ClusterID, resourceID: String, engine: Engine, engineVersion: String, masterUsername: String,
        masterPassword: String, databaseName: String?, volume: VolumeID, sql: SQLVolume, createTime: Timestamp,
        endpoints: (Endpoint, Endpoint), backtrackWindow: Int64, backupRetentionPeriod: Int,
        deletionProtection: Bool, storageEncrypted: Bool, binlogEnabled: Bool, cloneGroupID: String?,
        lineage: ClusterID, historyBytesMax: Int?, phase: Phase<ClusterStatus>
    ) {
        self.id = id
        self.resourceID = resourceID
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.masterPassword = masterPassword
        self.databaseName = databaseName
        self.volume = volume
        self.sql = sql
        self.createTime = createTime
        (endpoint, readerEndpoint) = endpoints
        self.backtrackWindow = backtrackWindow
        backtrackLocked = backtrackWindow == 0
        self.backupRetentionPeriod = backupRetentionPeriod
        self.deletionProtection = deletionProtection
        self.storageEncrypted = storageEncrypted
        self.binlogEnabled = binlogEnabled
        self.cloneGroupID = cloneGroupID
        self.lineage = lineage
        self.historyBytesMax = historyBytesMax
        self.phase = phase
    }

    var retention: RetentionSettings {
        RetentionSettings(
            windowSeconds: backtrackWindow, restoreWindowSeconds: Int64(backupRetentionPeriod) * 86_400,
            historyBytesMax: historyBytesMax)
    }
}

final class InstanceRecord {
    let id: InstanceID
    let resourceID: String
    let cluster: ClusterID
    let instanceClass: String
    let createTime: Timestamp
    let availabilityZone: String
    let endpoint: Endpoint
    var phase: Phase<InstanceStatus>

    init(
        id: InstanceID, resourceID: String, cluster: ClusterID, instanceClass: String, createTime: Timestamp,
        availabilityZone: String, endpoint: Endpoint, phase: Phase<InstanceStatus>
    ) {
        self.id = id
        self.resourceID = resourceID
        self.cluster = cluster
        self.instanceClass = instanceClass
        self.createTime = createTime
        self.availabilityZone = availabilityZone
        self.endpoint = endpoint
        self.phase = phase
    }
}

struct BacktrackRecord {
    var record: DBClusterBacktrack
    /// Until when the record shows `applying` (the operation delay).
    var applyingUntil: ContinuousClock.Instant?
}

/// A manual snapshot: a copy-on-write volume that keeps only its head.
struct SnapshotRecord {
    var info: DBClusterSnapshot
    var volume: VolumeID
    var masterPassword: String
    var databaseName: String?
    var creatingUntil: ContinuousClock.Instant?
}
