import PageStore

/// How a control plane is set up: the region it claims, how long operations appear to take, where clusters'
/// endpoints point, and the seed of the identifiers it makes up.
public struct ControlSettings: Sendable {
    public var region: String
    /// How long creating, modifying, backtracking and deleting appear to take, in real (not simulated) time, so
    /// that a student polling `describe-db-clusters` sees `creating` and `backtracking`. The work itself is done
    /// when the call returns; the status shows the operation until the delay has passed, and the cluster refuses
    /// connections meanwhile. 0 by default: every operation finishes within its call.
    public var operationDelay: Duration
    public var endpoints: EndpointPlan
    /// Seeds the UUIDs, resource ids and endpoint hashes, so that a run can be repeated exactly.
    public var seed: UInt64
    /// Copy-on-write clones per lineage; the next clone is a full copy, as Aurora documented (15).
    public var cloneLimit: Int

    public init(
        region: String = "us-east-1", operationDelay: Duration = .zero, endpoints: EndpointPlan = .hostnames,
        seed: UInt64 = 1, cloneLimit: Int = 15
    ) {
        self.region = region
        self.operationDelay = operationDelay
        self.endpoints = endpoints
        self.seed = seed
        self.cloneLimit = cloneLimit
    }
}

/// Where each new cluster's MySQL endpoint points.
public enum EndpointPlan: Sendable, Hashable {
    /// Aurora-style DNS names on port 3306 (`<id>.cluster-<hash>.<region>.rds.amazonaws.com`), which resolve
    /// nowhere: for the library, where sessions are opened in process.
    case hostnames
    /// One loopback address per cluster (127.0.0.2, 127.0.0.3, ...) on one port, so that the workshop's
    /// `--mysql-port=3306` works unchanged for a cluster and its clone. Linux routes all of 127/8 to loopback.
    case loopbackAddresses(port: Int)
    /// One port per cluster on one address, counting up from `firstPort`, for systems with only 127.0.0.1.
    case loopbackPorts(host: String, firstPort: Int)

    /// The endpoint of the `index`th cluster created (0-based), or nil when the plan has run out of addresses.
    func endpoint(index: Int, name: String) -> Endpoint? {
        switch self {
        case .hostnames:
            return Endpoint(host: name, port: 3306)
        case .loopbackAddresses(let port):
            guard index < 253 else { return nil }
            return Endpoint(host: "127.0.0.\(index + 2)", port: port)
        case .loopbackPorts(let host, let firstPort):
            guard firstPort + index <= 65535 else { return nil }
            return Endpoint(host: host, port: firstPort + index)
        }
    }

    var usesHostnames: Bool { self == .hostnames }
}
