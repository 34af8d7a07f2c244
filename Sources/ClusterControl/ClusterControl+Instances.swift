import PageStore

extension ClusterControl {
    /// `CreateDBInstance`. The cluster must be available and the engine must be the cluster's. The first
    /// instance is the writer: once it is available, the cluster accepts connections.
    @discardableResult
    public func createInstance(_ request: NewInstance) throws(RDSError) -> DBInstance {
        try request.identifier.validate()
        guard request.instanceClass.hasPrefix("db."), request.instanceClass.count > 3 else {
            throw .value("Invalid DB instance class: \(request.instanceClass)")
        }
        return try withState { state throws(RDSError) in
            guard state.instances[request.identifier] == nil else {
                throw RDSError(.dbInstanceAlreadyExists, "DB instance already exists")
            }
            let cluster = try state.cluster(request.cluster)
            try requireAvailable(cluster)
            if !request.engine.isEmpty, Engine(rawValue: request.engine.lowercased()) != cluster.engine {
                throw .combination(
                    "The engine \(request.engine) does not match the engine of DB cluster \(cluster.id) "
                        + "(\(cluster.engine.rawValue)).")
            }
            let instance = InstanceRecord(
                id: request.identifier, resourceID: state.resourceID(prefix: "db-"), cluster: cluster.id,
                instanceClass: request.instanceClass, createTime: clock.now(),
                availabilityZone: request.availabilityZone ?? "\(settings.region)a",
                endpoint: state.instanceEndpoint(request.identifier, cluster: cluster, settings: settings),
                phase: busy(.creating))
            state.instances[instance.id] = instance
            cluster.instances.append(instance.id)
            state.event(
                "RDS-EVENT-0005", instance.id.rawValue, .dbInstance, "DB instance created", ["creation"], clock.now())
            return describe(instance, of: cluster)
        }
    }

    /// `DescribeDBInstances` for one instance (`DBInstanceNotFound` if there is none).
    public func instance(_ id: InstanceID) throws(RDSError) -> DBInstance {
        try withState { state throws(RDSError) in
            let instance = try state.instance(id)
            return describe(instance, of: try state.cluster(instance.cluster))
        }
    }

    /// `DescribeDBInstances` for every instance, by identifier.
    public func instances() -> [DBInstance] {
        (try? withState { state throws(RDSError) in
            state.instances.keys.sorted().compactMap { id in
                guard let instance = state.instances[id], let cluster = state.clusters[instance.cluster] else {
                    return nil
                }
                return describe(instance, of: cluster)
            }
        }) ?? []
    }

    /// `DeleteDBInstance`. Deleting the writer makes the next instance the writer; deleting the last instance
    /// ends the cluster's sessions, since nothing serves them any more.
    @discardableResult
    public func deleteInstance(_ id: InstanceID) throws(RDSError) -> DBInstance {
        try withState { state throws(RDSError) in
            let instance = try state.instance(id)
            let cluster = try state.cluster(instance.cluster)
            guard instance.phase.status(at: .now, after: .available) != .deleting else {
                throw RDSError(.invalidDBInstanceState, "Instance \(id) is already being deleted.")
            }
            var described = describe(instance, of: cluster)
            cluster.instances.removeAll { $0 == id }
            if cluster.instances.isEmpty { cluster.sessions.endAll(because: "the cluster's last instance was deleted") }
            instance.phase = busy(.deleting)
            described.status = .deleting
            state.settle(at: .now, time: clock.now(), store: store)
            return described
        }
    }

    func describe(_ instance: InstanceRecord, of cluster: ClusterRecord) -> DBInstance {
        let status = instance.phase.status(at: .now, after: .available)
        return DBInstance(
            identifier: instance.id, resourceID: instance.resourceID, cluster: cluster.id,
            instanceClass: instance.instanceClass, engine: cluster.engine, engineVersion: cluster.engineVersion,
            status: status, endpoint: status == .creating ? nil : instance.endpoint,
            isWriter: cluster.instances.first == instance.id, createTime: instance.createTime,
            availabilityZone: instance.availabilityZone, databaseName: cluster.databaseName,
            masterUsername: cluster.masterUsername, backupRetentionPeriod: cluster.backupRetentionPeriod,
            storageEncrypted: cluster.storageEncrypted)
    }
}
