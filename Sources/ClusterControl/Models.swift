import PageStore

/// The Aurora engines this control plane accepts. `aurora` is Aurora MySQL 1 (MySQL 5.6), the engine the AWS
/// workshop's CloudFormation template uses; `aurora-mysql` is Aurora MySQL 2 and 3.
public enum Engine: String, Sendable, CaseIterable {
    case aurora
    case auroraMySQL = "aurora-mysql"

    public var defaultVersion: String {
        switch self {
        case .aurora: "5.6.10a"
        case .auroraMySQL: "8.0.mysql_aurora.3.05.2"
        }
    }

    /// The family of the default parameter groups (`default.<family>`).
    public var parameterGroupFamily: String {
        switch self {
        case .aurora: "aurora5.6"
        case .auroraMySQL: "aurora-mysql8.0"
        }
    }
}

public enum ClusterStatus: String, Sendable {
    case creating, available, backtracking, modifying, deleting
}

public enum InstanceStatus: String, Sendable {
    case creating, available, deleting
}

public enum BacktrackStatus: String, Sendable, CaseIterable {
    case pending, applying, completed, failed
}

public enum SnapshotStatus: String, Sendable {
    case creating, available
}

/// Where a MySQL client reaches a cluster or an instance.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// A DB cluster as `DescribeDBClusters` shows it.
public struct DBCluster: Hashable, Sendable {
    public struct Member: Hashable, Sendable {
        public var instance: InstanceID
        public var isWriter: Bool
    }

    public var identifier: ClusterID
    public var resourceID: String
    public var engine: Engine
    public var engineVersion: String
    public var status: ClusterStatus
    public var databaseName: String?
    public var masterUsername: String
    public var endpoint: Endpoint
    public var readerEndpoint: Endpoint
    public var createTime: Timestamp
    public var backupRetentionPeriod: Int
    /// Absent while the cluster is being created, as in Aurora.
    public var earliestRestorableTime: Timestamp?
    public var latestRestorableTime: Timestamp?
    /// The target backtrack window in seconds; 0 when backtracking is disabled.
    public var backtrackWindow: Int64
    public var earliestBacktrackTime: Timestamp?
    public var backtrackConsumedChangeRecords: Int?
    public var cloneGroupID: String?
    public var members: [Member]
    public var deletionProtection: Bool
    public var storageEncrypted: Bool
    public var binlogEnabled: Bool

    public var writer: InstanceID? { members.first(where: \.isWriter)?.instance }
}

/// A DB instance of a cluster, as `DescribeDBInstances` shows it.
public struct DBInstance: Hashable, Sendable {
    public var identifier: InstanceID
    public var resourceID: String
    public var cluster: ClusterID
    public var instanceClass: String
    public var engine: Engine
    public var engineVersion: String
    public var status: InstanceStatus
    /// Absent while the instance is being created, as in Aurora.
    public var endpoint: Endpoint?
    public var isWriter: Bool
    public var createTime: Timestamp
    public var availabilityZone: String
    public var databaseName: String?
    public var masterUsername: String
    public var backupRetentionPeriod: Int
    public var storageEncrypted: Bool
}

/// One backtrack of a cluster, as `DescribeDBClusterBacktracks` shows it.
public struct DBClusterBacktrack: Hashable, Sendable {
    public var cluster: ClusterID
    /// A version 4 UUID.
    public var identifier: String
    /// The consistent time the cluster was rewound to: the commit time of the state it now has.
    public var backtrackTo: Timestamp
    /// The cluster time at which the rewind was applied.
    public var backtrackedFrom: Timestamp
    public var requestCreationTime: Timestamp
    public var status: BacktrackStatus
}

/// A manual cluster snapshot.
public struct DBClusterSnapshot: Hashable, Sendable {
    public var identifier: SnapshotID
    public var cluster: ClusterID
    public var engine: Engine
    public var engineVersion: String
    public var status: SnapshotStatus
    public var percentProgress: Int
    public var snapshotCreateTime: Timestamp
    public var clusterCreateTime: Timestamp
    public var masterUsername: String
    public var storageEncrypted: Bool
    /// Bytes of the volume's pages at the snapshot (AllocatedStorage is this in GiB, rounded up).
    public var bytes: Int
}

/// An RDS event (`DescribeEvents`).
public struct RDSEvent: Hashable, Sendable {
    public enum SourceType: String, Sendable, CaseIterable {
        case dbCluster = "db-cluster"
        case dbInstance = "db-instance"
        case dbClusterSnapshot = "db-cluster-snapshot"
    }

    /// The documented event id, such as `RDS-EVENT-0170`. The API does not return it; tests and `lab` use it.
    public var eventID: String
    public var sourceIdentifier: String
    public var sourceType: SourceType
    public var message: String
    public var categories: [String]
    public var date: Timestamp
}

/// The cluster's backtrack metrics, as CloudWatch would report them now.
public struct BacktrackMetrics: Hashable, Sendable {
    /// `BacktrackChangeRecordsStored`: change records kept for backtracking.
    public var changeRecordsStored: Int
    /// `BacktrackChangeRecordsCreationRate`: change records created in the last five minutes.
    public var changeRecordsCreationRate: Int
    /// `BacktrackWindowActual`: how many minutes the actual window falls short of the target (0 when it does not,
    /// including while the cluster is younger than its window).
    public var windowActualMinutes: Int64
    /// How far back a backtrack can go now, in seconds.
    public var actualWindowSeconds: Int64
    public var targetWindowSeconds: Int64
    /// Bytes of history the cluster's volume keeps for backtracking and restores.
    public var historyBytes: Int
    /// Bytes of the cluster's current pages.
    public var liveBytes: Int
}
