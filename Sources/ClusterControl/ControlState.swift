import PageStore

/// Everything the control plane knows, behind its lock.
struct ControlState {
    var clusters: [ClusterID: ClusterRecord] = [:]
    var instances: [InstanceID: InstanceRecord] = [:]
    var snapshots: [SnapshotID: SnapshotRecord] = [:]
    /// Oldest first.
    var events: [RDSEvent] = []
    var random: SplitMix64
    var endpointsAllocated = 0
    var nextConnectionID: UInt32 = 1
    /// The account-wide part of Aurora's DNS names (`<id>.cluster-<hash>.<region>.rds.amazonaws.com`).
    let dnsHash: String

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        dnsHash = Self.randomString(&random, count: 12, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789")
    }

    func cluster(_ id: ClusterID) throws(RDSError) -> ClusterRecord {
        guard let cluster = clusters[id] else { throw .clusterNotFound(id) }
        return cluster
    }

    func instance(_ id: InstanceID) throws(RDSError) -> InstanceRecord {
        guard let instance = instances[id] else { throw .instanceNotFound(id) }
        return instance
    }

    func requireNew(_ id: ClusterID) throws(RDSError) {
        guard clusters[id] == nil else { throw RDSError(.dbClusterAlreadyExists, "DB Cluster already exists") }
    }

    /// Applies the transitions whose time has come: operations end, deleted resources go.
    mutating func settle(at instant: ContinuousClock.Instant, time: Timestamp, store: PageStore) {
        for (id, cluster) in clusters {
            let status = cluster.phase.status(at: instant, after: .available)
            if status == .available, cluster.phase.status != .available {
                if cluster.phase.status == .deleting {
                    clusters[id] = nil
                    // A deleted cluster's read views are gone with its sessions; failing here would only leak.
                    try? store.deleteVolume(cluster.volume)
                    event("RDS-EVENT-0171", id.rawValue, .dbCluster, "DB cluster deleted", ["deletion"], time)
                    continue
                }
                cluster.phase = Phase(status: .available)
            }
            for index in cluster.backtracks.indices {
                if let until = cluster.backtracks[index].applyingUntil, instant >= until {
                    cluster.backtracks[index].record.status = .completed
                    cluster.backtracks[index].applyingUntil = nil
                }
            }
        }
        for (id, instance) in instances {
            let status = instance.phase.status(at: instant, after: .available)
            guard status == .available, instance.phase.status != .available else { continue }
            if instance.phase.status == .deleting {
                instances[id] = nil
                event("RDS-EVENT-0003", id.rawValue, .dbInstance, "DB instance deleted", ["deletion"], time)
            } else {
                instance.phase = Phase(status: .available)
            }
        }
        for id in snapshots.keys {
            if let until = snapshots[id]?.creatingUntil, instant >= until {
                snapshots[id]?.creatingUntil = nil
                snapshots[id]?.info.status = .available
                snapshots[id]?.info.percentProgress = 100
            }
        }
    }

    mutating func event(
        _ eventID: String, _ source: String, _ type: RDSEvent.SourceType, _ message: String, _ categories: [String],
        _ date: Timestamp
    ) {
        events.append(
            RDSEvent(
                eventID: eventID, sourceIdentifier: source, sourceType: type, message: message,
                categories: categories, date: date))
    }

    /// The cluster and reader endpoints of a new cluster, from the plan.
    mutating func allocateEndpoints(_ id: ClusterID, settings: ControlSettings) throws(RDSError) -> (
        Endpoint, Endpoint
    ) {
        let suffix = "\(dnsHash).\(settings.region).rds.amazonaws.com"
        guard let writer = settings.endpoints.endpoint(index: endpointsAllocated, name: "\(id).cluster-\(suffix)")
        else {
            throw RDSError(
                .dbClusterQuotaExceeded, "The endpoint plan has no address left for another DB cluster.")
        }
        endpointsAllocated += 1
        guard settings.endpoints.usesHostnames else { return (writer, writer) }
        return (writer, Endpoint(host: "\(id).cluster-ro-\(suffix)", port: writer.port))
    }

    /// An instance endpoint: the cluster's own listener, or an Aurora-style DNS name.
    func instanceEndpoint(_ id: InstanceID, cluster: ClusterRecord, settings: ControlSettings) -> Endpoint {
        guard settings.endpoints.usesHostnames else { return cluster.endpoint }
        return Endpoint(host: "\(id).\(dnsHash).\(settings.region).rds.amazonaws.com", port: cluster.endpoint.port)
    }

    /// `cluster-` or `db-` and 26 upper-case letters and digits, as AWS's resource ids.
    mutating func resourceID(prefix: String) -> String {
        prefix + Self.randomString(&random, count: 26, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    }

    /// A version 4 UUID from the seeded generator, so that a run can be repeated exactly.
    mutating func uuid() -> String { UUIDv4.string(using: &random) }

    mutating func connectionID() -> UInt32 {
        defer { nextConnectionID &+= 1 }
        return nextConnectionID
    }

    private static func randomString(_ random: inout SplitMix64, count: Int, alphabet: String) -> String {
        let letters = Array(alphabet)
        return String((0..<count).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
    }
}

extension Phase {
    init(status: Status) { self.init(status: status, until: nil) }
}
