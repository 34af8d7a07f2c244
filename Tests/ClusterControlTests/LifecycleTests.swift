import ClusterControl
import PageStore
import SQLFacade
import Testing

@Suite struct LifecycleTests {
    @Test func createValidatesItsParameters() throws {
        let control = ClusterControl(clock: ManualClock())
        expectRDS(.invalidParameterValue) { try control.createCluster(NewCluster(identifier: "1abc")) }
        expectRDS(.invalidParameterValue) { try control.createCluster(NewCluster(identifier: "a--b")) }
        expectRDS(.invalidParameterValue) { try control.createCluster(NewCluster(identifier: "ab-")) }
        expectRDS(.invalidParameterValue) { try control.createCluster(NewCluster(identifier: "a", engine: "postgres")) }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", backtrackWindow: 259_201))
        }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", backtrackWindow: -1))
        }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", backupRetentionPeriod: 36))
        }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", masterUserPassword: "short"))
        }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", masterUserPassword: "has/slash1"))
        }
        expectRDS(.invalidParameterValue) {
            try control.createCluster(NewCluster(identifier: "a", masterUsername: nil))
        }
        let created = try control.createCluster(NewCluster(identifier: "Mixed-Case", engine: "aurora"))
        #expect(created.identifier.rawValue == "mixed-case" && created.engineVersion == "5.6.10a")
        expectRDS(.dbClusterAlreadyExists) { try control.createCluster(NewCluster(identifier: "MIXED-case")) }
        #expect(try control.cluster("MIXED-CASE").status == .available)
        expectRDS(.dbClusterNotFound) { _ = try control.cluster("other") }
    }

    @Test func loweringTheWindowPurgesAndZeroIsForever() throws {
        let lab = try Lab(window: 3600)
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY)")
        lab.clock.advance(seconds: 1000)
        let before = try #require(try lab.control.cluster("lab").earliestBacktrackTime)
        try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 600))
        let after = try #require(try lab.control.cluster("lab").earliestBacktrackTime)
        #expect(after == lab.clock.now().adding(seconds: -600) && after > before)
        // Raising it again does not bring the purged history back.
        try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 3600))
        #expect(try lab.control.cluster("lab").earliestBacktrackTime == after)
        try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 0))
        #expect(try lab.control.cluster("lab").earliestBacktrackTime == nil)
        expectRDS(.invalidParameterCombination) {
            try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 600))
        }
        expectRDS(.invalidParameterValue) {
            try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 300_000))
        }
    }

    @Test func deleteFollowsTheFinalSnapshotRules() throws {
        let lab = try Lab()
        let session = try lab.connect()
        expectRDS(.invalidParameterCombination) { try lab.control.deleteCluster("lab", ClusterDeletion()) }
        expectRDS(.invalidParameterCombination) {
            try lab.control.deleteCluster("lab", ClusterDeletion(skipFinalSnapshot: true, finalSnapshotIdentifier: "f"))
        }
        expectRDS(.invalidDBClusterState) { try lab.control.deleteCluster("lab", .skipFinalSnapshot) }
        try lab.control.deleteInstance("lab-1")
        expectMySQL(2013) { try session.execute("SELECT 1") }
        expectRDS(.dbInstanceNotFound) { try lab.control.deleteInstance("lab-1") }
        try lab.control.modifyCluster("lab", ClusterModification(deletionProtection: true))
        expectRDS(.invalidParameterCombination) { try lab.control.deleteCluster("lab", .skipFinalSnapshot) }
        try lab.control.modifyCluster("lab", ClusterModification(deletionProtection: false))
        try lab.control.deleteCluster("lab", ClusterDeletion(finalSnapshotIdentifier: "final"))
        expectRDS(.dbClusterNotFound) { _ = try lab.control.cluster("lab") }
        #expect(try lab.control.snapshots("final").first?.cluster == "lab")
        let events = lab.control.events(sourceType: .dbCluster).map(\.eventID)
        #expect(events == ["RDS-EVENT-0170", "RDS-EVENT-0171"])
    }

    @Test func instancesJoinTheirClusterAsWriterThenReaders() throws {
        let lab = try Lab()
        expectRDS(.dbInstanceAlreadyExists) {
            try lab.control.createInstance(NewInstance(identifier: "lab-1", cluster: "lab"))
        }
        expectRDS(.dbClusterNotFound) { try lab.control.createInstance(NewInstance(identifier: "x", cluster: "nope")) }
        expectRDS(.invalidParameterCombination) {
            try lab.control.createInstance(NewInstance(identifier: "x", cluster: "lab", engine: "aurora"))
        }
        expectRDS(.invalidParameterValue) {
            try lab.control.createInstance(NewInstance(identifier: "x", cluster: "lab", instanceClass: "r5.large"))
        }
        try lab.control.createInstance(NewInstance(identifier: "lab-2", cluster: "lab"))
        let cluster = try lab.control.cluster("lab")
        #expect(cluster.members.map(\.isWriter) == [true, false] && cluster.writer == "lab-1")
        try lab.control.deleteInstance("lab-1")
        #expect(try lab.control.instance("lab-2").isWriter)
        #expect(try lab.connect().execute("SELECT 1").textRows == [["1"]])
    }

    @Test func connectionsCheckCredentialsAndDatabase() throws {
        let lab = try Lab()
        expectMySQL(1045) { _ = try lab.control.connect(to: "lab", user: "masteruser", password: "wrong") }
        expectMySQL(1045) { _ = try lab.control.connect(to: "lab", user: "root", password: "Password1") }
        expectMySQL(1049) { _ = try lab.control.connect(to: "lab", database: "nope") }
        expectMySQL(2005) { _ = try lab.control.connect(to: "nope") }
        let session = try lab.control.connect(to: "lab", user: "masteruser", password: "Password1", database: "mylab")
        #expect(session.database == "mylab")
    }

    @Test func metricsAndWindowEvents() throws {
        let lab = try Lab(window: 3600, historyBytesMax: 64 * 1024)
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY, pad TEXT)")
        let session = try lab.connect()
        for i in 0..<200 {
            lab.clock.advance(seconds: 1)
            try session.execute("INSERT INTO t VALUES (\(i), '\(String(repeating: "x", count: 2000))')")
        }
        let metrics = try lab.control.metrics("lab")
        #expect(metrics.changeRecordsCreationRate > 0 && metrics.changeRecordsCreationRate <= 202)
        #expect(metrics.changeRecordsStored > 0)
        #expect(metrics.windowActualMinutes >= 0)
        #expect(metrics.actualWindowSeconds < 200)
        #expect(lab.control.events(sourceIdentifier: "lab-1").map(\.eventID).contains("RDS-EVENT-0131"))
        // Once the window is whole again (here: lowered under the budget), RDS-EVENT-0132.
        try lab.control.modifyCluster("lab", ClusterModification(backtrackWindow: 1))
        lab.clock.advance(seconds: 5)
        #expect(lab.control.events(sourceIdentifier: "lab-1").last?.eventID == "RDS-EVENT-0132")
    }
}
