import ClusterControl
import PageStore

/// One function per RDS action: read the parameters, call the control plane, write the result's members.
enum Operations {
    typealias Context = RDSAPI.Context

    static func createCluster(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let request = NewCluster(
            identifier: ClusterID(try p.required("DBClusterIdentifier")), engine: try p.required("Engine"),
            engineVersion: p.string("EngineVersion"), masterUsername: p.string("MasterUsername"),
            masterUserPassword: p.string("MasterUserPassword"), databaseName: p.string("DatabaseName"),
            backtrackWindow: try p.int64("BacktrackWindow") ?? 0,
            backupRetentionPeriod: try p.int("BackupRetentionPeriod") ?? 1,
            deletionProtection: try p.bool("DeletionProtection") ?? false,
            storageEncrypted: try p.bool("StorageEncrypted") ?? false)
        c.shapes.cluster(try c.control.createCluster(request), into: &x)
    }

    static func describeClusters(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        var clusters: [DBCluster]
        if let id = p.string("DBClusterIdentifier") {
            clusters = [try c.control.cluster(ClusterID(Self.identifier(fromARN: id)))]
        } else {
            clusters = c.control.clusters()
        }
        for (name, values) in p.filters() {
            let wanted = Set(values.map { $0.lowercased() })
            let key: (DBCluster) -> String?
            switch name {
            case "clone-group-id": key = { $0.cloneGroupID }
            case "db-cluster-id": key = { $0.identifier.rawValue }
            case "db-cluster-resource-id": key = { $0.resourceID.lowercased() }
            case "engine": key = { $0.engine.rawValue }
            case "domain": key = { _ in nil }
            default: throw RDSError(.invalidParameterValue, "Unrecognized filter name: \(name)")
            }
            clusters = clusters.filter { key($0).map(wanted.contains) ?? false }
        }
        try page(clusters, p, &x, list: "DBClusters") { x, cluster in c.shapes.cluster(cluster, into: &x) }
    }

    static func modifyCluster(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        if let renamed = p.string("NewDBClusterIdentifier") {
            throw RDSError(.invalidParameterValue, "Renaming a DB cluster (to \(renamed)) is not supported here.")
        }
        let change = ClusterModification(
            backtrackWindow: try p.int64("BacktrackWindow"), backupRetentionPeriod: try p.int("BackupRetentionPeriod"),
            deletionProtection: try p.bool("DeletionProtection"), masterUserPassword: p.string("MasterUserPassword"))
        let id = ClusterID(try p.required("DBClusterIdentifier"))
        c.shapes.cluster(try c.control.modifyCluster(id, change), into: &x)
    }

    static func deleteCluster(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let deletion = ClusterDeletion(
            skipFinalSnapshot: try p.bool("SkipFinalSnapshot") ?? false,
            finalSnapshotIdentifier: p.string("FinalDBSnapshotIdentifier").map { SnapshotID($0) })
        c.shapes.cluster(
            try c.control.deleteCluster(ClusterID(try p.required("DBClusterIdentifier")), deletion), into: &x)
    }

    static func createInstance(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        guard let cluster = p.string("DBClusterIdentifier") else {
            throw RDSError(
                .invalidParameterCombination,
                "DBClusterIdentifier is required: this simulator creates Aurora cluster members only.")
        }
        let request = NewInstance(
            identifier: InstanceID(try p.required("DBInstanceIdentifier")), cluster: ClusterID(cluster),
            instanceClass: try p.required("DBInstanceClass"), engine: try p.required("Engine"),
            availabilityZone: p.string("AvailabilityZone"))
        c.shapes.instance(try c.control.createInstance(request), into: &x)
    }

    static func describeInstances(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        var instances: [DBInstance]
        if let id = p.string("DBInstanceIdentifier") {
            instances = [try c.control.instance(InstanceID(Self.identifier(fromARN: id)))]
        } else {
            instances = c.control.instances()
        }
        for (name, values) in p.filters() {
            let wanted = Set(values.map { $0.lowercased() })
            let key: (DBInstance) -> String?
            switch name {
            case "db-cluster-id": key = { $0.cluster.rawValue }
            case "db-instance-id": key = { $0.identifier.rawValue }
            case "dbi-resource-id": key = { $0.resourceID.lowercased() }
            case "engine": key = { $0.engine.rawValue }
            case "domain": key = { _ in nil }
            default: throw RDSError(.invalidParameterValue, "Unrecognized filter name: \(name)")
            }
            instances = instances.filter { key($0).map(wanted.contains) ?? false }
        }
        try page(instances, p, &x, list: "DBInstances") { x, instance in c.shapes.instance(instance, into: &x) }
    }

    static func deleteInstance(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let id = InstanceID(try c.parameters.required("DBInstanceIdentifier"))
        c.shapes.instance(try c.control.deleteInstance(id), into: &x)
    }

    static func backtrack(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        guard let to = try p.timestamp("BacktrackTo") else {
            throw RDSError(.missingParameter, "The request must contain the parameter BacktrackTo")
        }
        let request = BacktrackRequest(
            cluster: ClusterID(try p.required("DBClusterIdentifier")), backtrackTo: to,
            force: try p.bool("Force") ?? false,
            useEarliestTimeOnPointInTimeUnavailable: try p.bool("UseEarliestTimeOnPointInTimeUnavailable") ?? false)
        c.shapes.backtrackMembers(try c.control.backtrack(request), into: &x)
    }

    static func describeBacktracks(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let id = ClusterID(try p.required("DBClusterIdentifier"))
        var records = try c.control.backtracks(of: id, identifier: p.string("BacktrackIdentifier"))
        for (name, values) in p.filters() {
            let wanted = Set(values.map { $0.lowercased() })
            switch name {
            case "db-cluster-backtrack-id": records = records.filter { wanted.contains($0.identifier) }
            case "db-cluster-backtrack-status": records = records.filter { wanted.contains($0.status.rawValue) }
            default: throw RDSError(.invalidParameterValue, "Unrecognized filter name: \(name)")
            }
        }
        try page(records, p, &x, list: "DBClusterBacktracks") { x, record in
            x.element("DBClusterBacktrack") { x in c.shapes.backtrackMembers(record, into: &x) }
        }
    }

    static func restoreToPointInTime(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let typeText = p.string("RestoreType") ?? "full-copy"
        guard let type = PointInTimeRestore.RestoreType(rawValue: typeText) else {
            throw RDSError(.invalidParameterValue, "Invalid RestoreType \(typeText): use full-copy or copy-on-write.")
        }
        guard let source = p.string("SourceDBClusterIdentifier") else {
            throw RDSError(.missingParameter, "The request must contain the parameter SourceDBClusterIdentifier")
        }
        let request = PointInTimeRestore(
            identifier: ClusterID(try p.required("DBClusterIdentifier")),
            source: ClusterID(identifier(fromARN: source)),
            restoreType: type, restoreToTime: try p.timestamp("RestoreToTime"),
            useLatestRestorableTime: try p.bool("UseLatestRestorableTime") ?? false,
            backtrackWindow: try p.int64("BacktrackWindow") ?? 0,
            backupRetentionPeriod: try p.int("BackupRetentionPeriod"),
            deletionProtection: try p.bool("DeletionProtection") ?? false)
        c.shapes.cluster(try c.control.restoreToPointInTime(request), into: &x)
    }

    static func createSnapshot(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let snapshot = try c.control.createSnapshot(
            SnapshotID(try p.required("DBClusterSnapshotIdentifier")),
            of: ClusterID(try p.required("DBClusterIdentifier")))
        c.shapes.snapshot(snapshot, into: &x)
    }

    static func describeSnapshots(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        var snapshots = try c.control.snapshots(
            p.string("DBClusterSnapshotIdentifier").map { SnapshotID(identifier(fromARN: $0)) },
            cluster: p.string("DBClusterIdentifier").map { ClusterID(identifier(fromARN: $0)) })
        if let type = p.string("SnapshotType"), type != "manual" { snapshots = [] }
        for (name, values) in p.filters() {
            let wanted = Set(values.map { $0.lowercased() })
            let key: (DBClusterSnapshot) -> String
            switch name {
            case "db-cluster-id": key = { $0.cluster.rawValue }
            case "db-cluster-snapshot-id": key = { $0.identifier.rawValue }
            case "snapshot-type": key = { _ in "manual" }
            case "engine": key = { $0.engine.rawValue }
            default: throw RDSError(.invalidParameterValue, "Unrecognized filter name: \(name)")
            }
            snapshots = snapshots.filter { wanted.contains(key($0)) }
        }
        try page(snapshots, p, &x, list: "DBClusterSnapshots") { x, snapshot in c.shapes.snapshot(snapshot, into: &x) }
    }

    static func restoreFromSnapshot(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let request = SnapshotRestore(
            identifier: ClusterID(try p.required("DBClusterIdentifier")),
            snapshot: SnapshotID(identifier(fromARN: try p.required("SnapshotIdentifier"))),
            engine: try p.required("Engine"), backtrackWindow: try p.int64("BacktrackWindow") ?? 0,
            backupRetentionPeriod: try p.int("BackupRetentionPeriod"),
            deletionProtection: try p.bool("DeletionProtection") ?? false)
        c.shapes.cluster(try c.control.restoreFromSnapshot(request), into: &x)
    }

    /// Events in [StartTime, EndTime], by default the last `Duration` minutes (60), as AWS does.
    static func describeEvents(_ c: Context, _ x: inout XMLWriter) throws(RDSError) {
        let p = c.parameters
        let now = c.control.clock.now()
        let end = try p.timestamp("EndTime") ?? now
        let minutes = Int64(try p.int("Duration") ?? 60)
        let start = try p.timestamp("StartTime") ?? end.adding(seconds: -minutes * 60)
        var type: RDSEvent.SourceType?
        if let text = p.string("SourceType") {
            guard let parsed = RDSEvent.SourceType(rawValue: text) else {
                throw RDSError(.invalidParameterValue, "Invalid SourceType \(text).")
            }
            type = parsed
        }
        if p.string("SourceIdentifier") != nil, type == nil {
            throw RDSError(.invalidParameterCombination, "SourceType is required with SourceIdentifier.")
        }
        let categories = Set(p.list("EventCategories", member: "EventCategory"))
        let events = c.control.events(sourceType: type, sourceIdentifier: p.string("SourceIdentifier"), since: start)
            .filter { $0.date <= end && (categories.isEmpty || !categories.isDisjoint(with: $0.categories)) }
        try page(events, p, &x, list: "Events") { x, event in c.shapes.event(event, into: &x) }
    }

    // MARK: Helpers

    /// One page of `items` (`MaxRecords` 20 to 100, default 100; `Marker` the offset), and the next marker when
    /// more remain.
    static func page<T>(
        _ items: [T], _ p: QueryParameters, _ x: inout XMLWriter, list: String,
        _ write: (inout XMLWriter, T) -> Void
    ) throws(RDSError) {
        let size = try p.int("MaxRecords") ?? 100
        guard (20...100).contains(size) else {
            throw RDSError(.invalidParameterValue, "Invalid value \(size) for MaxRecords: use 20 to 100.")
        }
        var offset = 0
        if let marker = p.string("Marker") {
            guard let parsed = Int(marker), parsed >= 0, parsed <= items.count else {
                throw RDSError(.invalidParameterValue, "Invalid Marker \(marker).")
            }
            offset = parsed
        }
        let end = min(items.count, offset + size)
        x.list(list, Array(items[offset..<end]), write)
        if end < items.count { x.value("Marker", String(end)) }
    }

    /// AWS accepts an ARN wherever an identifier goes: its last `:` component.
    static func identifier(fromARN text: String) -> String {
        text.hasPrefix("arn:") ? String(text.split(separator: ":").last ?? Substring(text)) : text
    }
}
