import ClusterControl
import PageStore
import SQLFacade
import Testing

@Suite struct CloneAndRestoreTests {
    @Test func clonesAreIndependentAndShareACloneGroup() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
        let source = try lab.connect().checksum("t")
        let clone = try lab.control.restoreToPointInTime(.clone("lab", as: "lab-clone", backtrackWindow: 86_400))
        #expect(clone.members.isEmpty)
        let sourceGroup = try lab.control.cluster("lab").cloneGroupID
        #expect(clone.cloneGroupID != nil && clone.cloneGroupID == sourceGroup)
        expectMySQL(3032) { _ = try lab.connect("lab-clone") }
        try lab.control.createInstance(NewInstance(identifier: "lab-clone-1", cluster: "lab-clone"))
        #expect(try lab.connect("lab-clone").checksum("t") == source)

        try lab.run("INSERT INTO t VALUES (2)", on: "lab-clone")
        try lab.run("INSERT INTO t VALUES (3)")
        #expect(try lab.rows(on: "lab-clone") == ["1", "2"])
        #expect(try lab.rows() == ["1", "3"])
        // The clone cannot go back before it was made; the source can.
        let cloneCreated = try lab.control.cluster("lab-clone").createTime
        #expect(try lab.control.cluster("lab-clone").earliestBacktrackTime == cloneCreated)
        expectRDS(.invalidParameterValue) {
            try lab.control.backtrack("lab-clone", to: cloneCreated.adding(seconds: -1))
        }
        try lab.control.backtrack("lab", to: cloneCreated.adding(seconds: -1))
        #expect(try lab.rows(on: "lab-clone") == ["1", "2"])
        #expect(lab.control.clusters().filter { $0.cloneGroupID == clone.cloneGroupID }.count == 2)
    }

    @Test func cloneRules() throws {
        let lab = try Lab(window: 0)
        expectRDS(.invalidParameterCombination) {
            try lab.control.restoreToPointInTime(.clone("lab", as: "c", backtrackWindow: 600))
        }
        expectRDS(.invalidParameterCombination) {
            try lab.control.restoreToPointInTime(
                PointInTimeRestore(
                    identifier: "c", source: "lab", restoreType: .copyOnWrite, restoreToTime: lab.clock.now()))
        }
        expectRDS(.invalidParameterCombination) {
            try lab.control.restoreToPointInTime(PointInTimeRestore(identifier: "c", source: "lab"))
        }
        expectRDS(.dbClusterNotFound) { try lab.control.restoreToPointInTime(.clone("nope", as: "c")) }
        expectRDS(.dbClusterAlreadyExists) { try lab.control.restoreToPointInTime(.clone("lab", as: "lab")) }
        try lab.control.createCluster(NewCluster(identifier: "empty"))
        expectRDS(.invalidDBClusterState) { try lab.control.restoreToPointInTime(.clone("empty", as: "c")) }
        // Without a window, the clone is fine.
        try lab.control.restoreToPointInTime(.clone("lab", as: "c"))
    }

    @Test func fullCopyRestoreToAPastTime() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY)")
        let target = try lab.run("INSERT INTO t VALUES (1)")
        try lab.run("INSERT INTO t VALUES (2)")
        let restored = try lab.control.restoreToPointInTime(
            PointInTimeRestore(identifier: "pitr", source: "lab", restoreToTime: target))
        #expect(restored.cloneGroupID == nil)
        try lab.control.createInstance(NewInstance(identifier: "pitr-1", cluster: "pitr"))
        #expect(try lab.rows(on: "pitr") == ["1"])
        expectRDS(.invalidRestore) {
            try lab.control.restoreToPointInTime(
                PointInTimeRestore(identifier: "late", source: "lab", restoreToTime: lab.clock.now().adding(seconds: 5))
            )
        }
        expectRDS(.invalidRestore) {
            try lab.control.restoreToPointInTime(
                PointInTimeRestore(identifier: "early", source: "lab", restoreToTime: Timestamp(microseconds: 0)))
        }
    }

    @Test func snapshotsRestoreToNewClustersThatMayBacktrack() throws {
        let lab = try Lab(window: 0)
        try lab.run("CREATE TABLE t (v INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
        let snapshot = try lab.control.createSnapshot("snap", of: "lab")
        #expect(snapshot.status == .available && snapshot.percentProgress == 100)
        expectRDS(.dbClusterSnapshotAlreadyExists) { try lab.control.createSnapshot("snap", of: "lab") }
        try lab.run("INSERT INTO t VALUES (2)")
        let restored = try lab.control.restoreFromSnapshot(
            SnapshotRestore(identifier: "again", snapshot: "snap", engine: "aurora-mysql", backtrackWindow: 600))
        #expect(restored.backtrackWindow == 600)
        try lab.control.createInstance(NewInstance(identifier: "again-1", cluster: "again"))
        #expect(try lab.rows(on: "again") == ["1"])
        expectRDS(.dbClusterSnapshotNotFound) {
            try lab.control.restoreFromSnapshot(
                SnapshotRestore(identifier: "x", snapshot: "nope", engine: "aurora-mysql"))
        }
        expectRDS(.invalidParameterCombination) {
            try lab.control.restoreFromSnapshot(SnapshotRestore(identifier: "x", snapshot: "snap", engine: "aurora"))
        }
        #expect(try lab.control.snapshots(cluster: "lab").map(\.identifier) == ["snap"])
    }
}
