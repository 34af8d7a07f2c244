import PageStore

/// An error as the RDS API reports it: an AWS error code, its HTTP status and a message. The control plane
/// throws these whether the call comes from Swift or over HTTP, so both see the same codes.
public struct RDSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The codes this control plane uses, with the HTTP status the RDS model gives each.
    public enum Code: String, Sendable, CaseIterable {
        case dbClusterNotFound = "DBClusterNotFoundFault"
        case dbClusterAlreadyExists = "DBClusterAlreadyExistsFault"
        case dbClusterQuotaExceeded = "DBClusterQuotaExceededFault"
        case dbInstanceNotFound = "DBInstanceNotFound"
        case dbInstanceAlreadyExists = "DBInstanceAlreadyExists"
        case dbClusterBacktrackNotFound = "DBClusterBacktrackNotFoundFault"
        case dbClusterSnapshotNotFound = "DBClusterSnapshotNotFoundFault"
        case dbClusterSnapshotAlreadyExists = "DBClusterSnapshotAlreadyExistsFault"
        case invalidDBClusterState = "InvalidDBClusterStateFault"
        case invalidDBInstanceState = "InvalidDBInstanceState"
        case invalidDBClusterSnapshotState = "InvalidDBClusterSnapshotStateFault"
        case invalidRestore = "InvalidRestoreFault"
        case instanceQuotaExceeded = "InstanceQuotaExceeded"
        case invalidParameterValue = "InvalidParameterValue"
        case invalidParameterCombination = "InvalidParameterCombination"
        case missingParameter = "MissingParameter"
        case invalidAction = "InvalidAction"
        case malformedQueryString = "MalformedQueryString"
        /// AWS's common error for a failure on the server's side; here, a page store error the control plane
        /// did not expect. Never a client's mistake.
        case internalFailure = "InternalFailure"

        /// The HTTP status of the model's error trait: 404 for what is not found, 403 for quotas, else 400.
        public var httpStatus: Int {
            switch self {
            case .dbClusterNotFound, .dbInstanceNotFound, .dbClusterBacktrackNotFound, .dbClusterSnapshotNotFound:
                404
            case .dbClusterQuotaExceeded: 403
            case .internalFailure: 500
            default: 400
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var httpStatus: Int { code.httpStatus }
    public var description: String { "\(code.rawValue): \(message)" }

    static func clusterNotFound(_ id: ClusterID) -> RDSError {
        RDSError(.dbClusterNotFound, "DBCluster \(id) not found.")
    }
    static func instanceNotFound(_ id: InstanceID) -> RDSError {
        RDSError(.dbInstanceNotFound, "DBInstance \(id) not found.")
    }
    static func snapshotNotFound(_ id: SnapshotID) -> RDSError {
        RDSError(.dbClusterSnapshotNotFound, "DBClusterSnapshot \(id) not found.")
    }
    static func clusterState(_ id: ClusterID, _ status: ClusterStatus) -> RDSError {
        RDSError(.invalidDBClusterState, "DB cluster \(id) is not in the available state (it is \(status.rawValue)).")
    }
    static func internalFailure(_ error: PageStoreError) -> RDSError { RDSError(.internalFailure, "\(error)") }
    static func value(_ message: String) -> RDSError { RDSError(.invalidParameterValue, message) }
    static func combination(_ message: String) -> RDSError { RDSError(.invalidParameterCombination, message) }
}
