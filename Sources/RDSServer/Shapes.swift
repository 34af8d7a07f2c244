import ClusterControl
import PageStore

/// The output shapes, member by member in the botocore model's order (`rds-query-api.md` §4.0, Appendix B), so
/// that the CLI prints keys in the order AWS's would.
struct Shapes {
    let region: String
    let account = "123456789012"
    static let hostedZone = "Z2R2ITUGPM61AM"

    func arn(_ kind: String, _ id: String) -> String { "arn:aws:rds:\(region):\(account):\(kind):\(id)" }

    func cluster(_ c: DBCluster, into x: inout XMLWriter) {
        x.element("DBCluster") { x in
            x.value("AllocatedStorage", 1)
            x.list("AvailabilityZones", ["a", "b", "c"]) { x, zone in x.value("AvailabilityZone", region + zone) }
            x.value("BackupRetentionPeriod", c.backupRetentionPeriod)
            x.value("DatabaseName", c.databaseName)
            x.value("DBClusterIdentifier", c.identifier.rawValue)
            x.value("DBClusterParameterGroup", "default.\(c.engine.parameterGroupFamily)")
            x.value("DBSubnetGroup", "default")
            x.value("Status", c.status.rawValue)
            x.value("EarliestRestorableTime", c.earliestRestorableTime)
            x.value("Endpoint", c.endpoint.host)
            x.value("ReaderEndpoint", c.readerEndpoint.host)
            x.value("MultiAZ", c.members.count > 1)
            x.value("Engine", c.engine.rawValue)
            x.value("EngineVersion", c.engineVersion)
            x.value("LatestRestorableTime", c.latestRestorableTime)
            x.value("Port", c.endpoint.port)
            x.value("MasterUsername", c.masterUsername)
            x.empty("DBClusterOptionGroupMemberships")
            x.value("PreferredBackupWindow", "09:41-10:11")
            x.value("PreferredMaintenanceWindow", "wed:10:11-wed:10:41")
            x.empty("ReadReplicaIdentifiers")
            x.list("DBClusterMembers", c.members) { x, member in
                x.element("DBClusterMember") { x in
                    x.value("DBInstanceIdentifier", member.instance.rawValue)
                    x.value("IsClusterWriter", member.isWriter)
                    x.value("DBClusterParameterGroupStatus", "in-sync")
                    x.value("PromotionTier", 1)
                }
            }
            x.empty("VpcSecurityGroups")
            x.value("HostedZoneId", Self.hostedZone)
            x.value("StorageEncrypted", c.storageEncrypted)
            x.value("DbClusterResourceId", c.resourceID)
            x.value("DBClusterArn", arn("cluster", c.identifier.rawValue))
            x.empty("AssociatedRoles")
            x.value("IAMDatabaseAuthenticationEnabled", false)
            x.value("CloneGroupId", c.cloneGroupID)
            x.value("ClusterCreateTime", c.createTime)
            if c.backtrackWindow > 0 {
                x.value("EarliestBacktrackTime", c.earliestBacktrackTime)
                x.value("BacktrackWindow", c.backtrackWindow)
                x.value("BacktrackConsumedChangeRecords", c.backtrackConsumedChangeRecords)
            }
            x.value("EngineMode", "provisioned")
            x.value("DeletionProtection", c.deletionProtection)
            x.value("HttpEndpointEnabled", false)
            x.value("ActivityStreamStatus", "stopped")
            x.value("CopyTagsToSnapshot", false)
            x.value("CrossAccountClone", false)
            x.empty("DomainMemberships")
            x.empty("TagList")
        }
    }

    func instance(_ i: DBInstance, into x: inout XMLWriter) {
        x.element("DBInstance") { x in
            x.value("DBInstanceIdentifier", i.identifier.rawValue)
            x.value("DBInstanceClass", i.instanceClass)
            x.value("Engine", i.engine.rawValue)
            x.value("DBInstanceStatus", i.status.rawValue)
            x.value("MasterUsername", i.masterUsername)
            x.value("DBName", i.databaseName)
            if let endpoint = i.endpoint {
                x.element("Endpoint") { x in
                    x.value("Address", endpoint.host)
                    x.value("Port", endpoint.port)
                    x.value("HostedZoneId", Self.hostedZone)
                }
            }
            x.value("AllocatedStorage", 1)
            if i.status != .creating { x.value("InstanceCreateTime", i.createTime) }
            x.value("PreferredBackupWindow", "09:41-10:11")
            x.value("BackupRetentionPeriod", i.backupRetentionPeriod)
            x.empty("DBSecurityGroups")
            x.empty("VpcSecurityGroups")
            x.element("DBParameterGroups") { x in
                x.element("DBParameterGroup") { x in
                    x.value("DBParameterGroupName", "default.\(i.engine.parameterGroupFamily)")
                    x.value("ParameterApplyStatus", "in-sync")
                }
            }
            x.value("AvailabilityZone", i.availabilityZone)
            x.element("DBSubnetGroup") { x in
                x.value("DBSubnetGroupName", "default")
                x.value("DBSubnetGroupDescription", "default")
                x.value("VpcId", "vpc-0123456789abcdef0")
                x.value("SubnetGroupStatus", "Complete")
                x.empty("Subnets")
            }
            x.value("PreferredMaintenanceWindow", "wed:10:11-wed:10:41")
            x.empty("PendingModifiedValues")
            x.value("MultiAZ", false)
            x.value("EngineVersion", i.engineVersion)
            x.value("AutoMinorVersionUpgrade", true)
            x.empty("ReadReplicaDBInstanceIdentifiers")
            x.value("LicenseModel", "general-public-license")
            x.empty("OptionGroupMemberships")
            x.value("PubliclyAccessible", false)
            x.value("StorageType", "aurora")
            x.value("DbInstancePort", 0)
            x.value("DBClusterIdentifier", i.cluster.rawValue)
            x.value("StorageEncrypted", i.storageEncrypted)
            x.value("DbiResourceId", i.resourceID)
            x.value("CACertificateIdentifier", "rds-ca-rsa2048-g1")
            x.empty("DomainMemberships")
            x.value("CopyTagsToSnapshot", false)
            x.value("MonitoringInterval", 0)
            x.value("PromotionTier", 1)
            x.value("DBInstanceArn", arn("db", i.identifier.rawValue))
            x.value("IAMDatabaseAuthenticationEnabled", false)
            x.value("PerformanceInsightsEnabled", false)
            x.value("DeletionProtection", false)
            x.empty("AssociatedRoles")
            x.empty("TagList")
        }
    }

    /// The six members of a backtrack, without a wrapper element (BacktrackDBCluster's result is the shape).
    func backtrackMembers(_ b: DBClusterBacktrack, into x: inout XMLWriter) {
        x.value("DBClusterIdentifier", b.cluster.rawValue)
        x.value("BacktrackIdentifier", b.identifier)
        x.value("BacktrackTo", b.backtrackTo.iso8601(fractionDigits: 0))
        x.value("BacktrackedFrom", b.backtrackedFrom)
        x.value("BacktrackRequestCreationTime", b.requestCreationTime)
        x.value("Status", b.status.rawValue)
    }

    func snapshot(_ s: DBClusterSnapshot, into x: inout XMLWriter) {
        x.element("DBClusterSnapshot") { x in
            x.list("AvailabilityZones", ["a", "b", "c"]) { x, zone in x.value("AvailabilityZone", region + zone) }
            x.value("DBClusterSnapshotIdentifier", s.identifier.rawValue)
            x.value("DBClusterIdentifier", s.cluster.rawValue)
            x.value("SnapshotCreateTime", s.snapshotCreateTime)
            x.value("Engine", s.engine.rawValue)
            x.value("EngineMode", "provisioned")
            x.value("AllocatedStorage", max(1, (s.bytes + (1 << 30) - 1) >> 30))
            x.value("Status", s.status.rawValue)
            x.value("Port", 0)
            x.value("VpcId", "vpc-0123456789abcdef0")
            x.value("ClusterCreateTime", s.clusterCreateTime)
            x.value("MasterUsername", s.masterUsername)
            x.value("EngineVersion", s.engineVersion)
            x.value("LicenseModel", s.engine.rawValue)
            x.value("SnapshotType", "manual")
            x.value("PercentProgress", s.percentProgress)
            x.value("StorageEncrypted", s.storageEncrypted)
            x.value("DBClusterSnapshotArn", arn("cluster-snapshot", s.identifier.rawValue))
            x.value("IAMDatabaseAuthenticationEnabled", false)
            x.empty("TagList")
        }
    }

    func event(_ e: RDSEvent, into x: inout XMLWriter) {
        x.element("Event") { x in
            x.value("SourceIdentifier", e.sourceIdentifier)
            x.value("SourceType", e.sourceType.rawValue)
            x.value("Message", e.message)
            x.list("EventCategories", e.categories) { x, category in x.value("EventCategory", category) }
            x.value("Date", e.date)
            let kind =
                switch e.sourceType {
                case .dbCluster: "cluster"
                case .dbInstance: "db"
                case .dbClusterSnapshot: "cluster-snapshot"
                }
            x.value("SourceArn", arn(kind, e.sourceIdentifier))
        }
    }
}
