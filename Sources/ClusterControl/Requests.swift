import PageStore

/// The parameters of `CreateDBCluster` this control plane honours.
public struct NewCluster: Sendable {
    public var identifier: ClusterID
    public var engine: String
    public var engineVersion: String?
    public var masterUsername: String?
    public var masterUserPassword: String?
    public var databaseName: String?
    /// Seconds, 0 to 259,200; 0 disables backtracking for good.
    public var backtrackWindow: Int64
    /// Days, 1 to 35.
    public var backupRetentionPeriod: Int
    public var deletionProtection: Bool
    public var storageEncrypted: Bool
    /// Binary logging on (a `binlog_format` other than OFF): backtracking then needs `force`.
    public var binlogEnabled: Bool
    /// A simulator option, not an AWS one: a cap on the bytes of history kept. Past it the actual window shrinks
    /// below the target, which is how Aurora behaves under heavy write load (RDS-EVENT-0131).
    public var historyBytesMax: Int?

    public init(
        identifier: ClusterID, engine: String = "aurora-mysql", engineVersion: String? = nil,
        masterUsername: String? = "masteruser", masterUserPassword: String? = "Password1",
        databaseName: String? = nil, backtrackWindow: Int64 = 0, backupRetentionPeriod: Int = 1,
        deletionProtection: Bool = false, storageEncrypted: Bool = false, binlogEnabled: Bool = false,
        historyBytesMax: Int? = nil
    ) {
        self.identifier = identifier
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.masterUserPassword = masterUserPassword
        self.databaseName = databaseName
        self.backtrackWindow = backtrackWindow
        self.backupRetentionPeriod = backupRetentionPeriod
        self.deletionProtection = deletionProtection
        self.storageEncrypted = storageEncrypted
        self.binlogEnabled = binlogEnabled
        self.historyBytesMax = historyBytesMax
    }
}

/// The parameters of `ModifyDBCluster` this control plane honours; nil leaves a setting as it is. Changes apply
/// at once whatever `ApplyImmediately` says: the API has no way to show a pending window change.
public struct ClusterModification: Sendable {
    public var backtrackWindow: Int64?
    public var backupRetentionPeriod: Int?
    public var deletionProtection: Bool?
    public var masterUserPassword: String?

    public init(
        backtrackWindow: Int64? = nil, backupRetentionPeriod: Int? = nil, deletionProtection: Bool? = nil,
        masterUserPassword: String? = nil
    ) {
        self.backtrackWindow = backtrackWindow
        self.backupRetentionPeriod = backupRetentionPeriod
        self.deletionProtection = deletionProtection
        self.masterUserPassword = masterUserPassword
    }
}

/// `RestoreDBClusterToPointInTime`: a copy-on-write clone at the latest time, or a full-copy restore to a time.
public struct PointInTimeRestore: Sendable {
    public enum RestoreType: String, Sendable {
        case fullCopy = "full-copy"
        case copyOnWrite = "copy-on-write"
    }

    public var identifier: ClusterID
    public var source: ClusterID
    public var restoreType: RestoreType
    public var restoreToTime: Timestamp?
    public var useLatestRestorableTime: Bool
    public var backtrackWindow: Int64
    public var backupRetentionPeriod: Int?
    public var deletionProtection: Bool

    public init(
        identifier: ClusterID, source: ClusterID, restoreType: RestoreType = .fullCopy,
        restoreToTime: Timestamp? = nil, useLatestRestorableTime: Bool = false, backtrackWindow: Int64 = 0,
        backupRetentionPeriod: Int? = nil, deletionProtection: Bool = false
    ) {
        self.identifier = identifier
        self.source = source
        self.restoreType = restoreType
        self.restoreToTime = restoreToTime
        self.useLatestRestorableTime = useLatestRestorableTime
        self.backtrackWindow = backtrackWindow
        self.backupRetentionPeriod = backupRetentionPeriod
        self.deletionProtection = deletionProtection
    }

    /// The workshop's clone: copy-on-write at the latest restorable time.
    public static func clone(_ source: ClusterID, as identifier: ClusterID, backtrackWindow: Int64 = 0) -> Self {
        PointInTimeRestore(
            identifier: identifier, source: source, restoreType: .copyOnWrite, useLatestRestorableTime: true,
            backtrackWindow: backtrackWindow)
    }
}

/// `RestoreDBClusterFromSnapshot`.
public struct SnapshotRestore: Sendable {
    public var identifier: ClusterID
    public var snapshot: SnapshotID
    public var engine: String
    public var backtrackWindow: Int64
    public var backupRetentionPeriod: Int?
    public var deletionProtection: Bool

    public init(
        identifier: ClusterID, snapshot: SnapshotID, engine: String, backtrackWindow: Int64 = 0,
        backupRetentionPeriod: Int? = nil, deletionProtection: Bool = false
    ) {
        self.identifier = identifier
        self.snapshot = snapshot
        self.engine = engine
        self.backtrackWindow = backtrackWindow
        self.backupRetentionPeriod = backupRetentionPeriod
        self.deletionProtection = deletionProtection
    }
}

/// `CreateDBInstance` for a cluster member.
public struct NewInstance: Sendable {
    public var identifier: InstanceID
    public var cluster: ClusterID
    public var instanceClass: String
    public var engine: String
    public var availabilityZone: String?

    public init(
        identifier: InstanceID, cluster: ClusterID, instanceClass: String = "db.r5.large", engine: String? = nil,
        availabilityZone: String? = nil
    ) {
        self.identifier = identifier
        self.cluster = cluster
        self.instanceClass = instanceClass
        self.engine = engine ?? ""
        self.availabilityZone = availabilityZone
    }
}

/// `BacktrackDBCluster`.
public struct BacktrackRequest: Sendable {
    public var cluster: ClusterID
    public var backtrackTo: Timestamp
    /// Backtrack even though binary logging is on.
    public var force: Bool
    /// Use the earliest backtrack time when `backtrackTo` is earlier than it, instead of failing.
    public var useEarliestTimeOnPointInTimeUnavailable: Bool

    public init(
        cluster: ClusterID, backtrackTo: Timestamp, force: Bool = false,
        useEarliestTimeOnPointInTimeUnavailable: Bool = false
    ) {
        self.cluster = cluster
        self.backtrackTo = backtrackTo
        self.force = force
        self.useEarliestTimeOnPointInTimeUnavailable = useEarliestTimeOnPointInTimeUnavailable
    }
}

/// `DeleteDBCluster`'s final-snapshot choice. AWS requires exactly one of the two.
public struct ClusterDeletion: Sendable {
    public var skipFinalSnapshot: Bool
    public var finalSnapshotIdentifier: SnapshotID?

    public init(skipFinalSnapshot: Bool = false, finalSnapshotIdentifier: SnapshotID? = nil) {
        self.skipFinalSnapshot = skipFinalSnapshot
        self.finalSnapshotIdentifier = finalSnapshotIdentifier
    }

    public static let skipFinalSnapshot = ClusterDeletion(skipFinalSnapshot: true)
}
