import ClusterControl
import PageStore
import SQLFacade
import SQLiteVFS

/// One recovery: how long it took until the recovered state answered its first query, and that state's checksum
/// (taken after the clock stopped).
struct Recovery {
    var elapsed: Duration
    var checksum: UInt32?
}

/// Times `work` up to the point it returns, then runs `verify` untimed.
func timed<Handle>(_ work: () throws -> Handle, verify: (Handle) throws -> UInt32?) throws -> Recovery {
    let start = ContinuousClock.now
    let handle = try work()
    let elapsed = ContinuousClock.now - start
    return Recovery(elapsed: elapsed, checksum: try verify(handle))
}

/// The methods that run in this process, on the dataset's cluster or its saved SQLite copy. Each leaves the
/// dataset as it found it: restored clusters and volumes are deleted and a backtrack returns to the newest state.
extension Dataset {
    func recover(_ method: Method, to target: Timestamp) throws -> Recovery {
        clock.advance(seconds: 1)
        defer { clock.advance(seconds: 1) }
        switch method {
        case .backtrack: return try backtrack(to: target)
        case .cloneLatest:
            return try restoredCluster { id in
                try control.restoreToPointInTime(.clone(Self.cluster, as: id))
            }
        case .copyOnWriteRestore: return try copyOnWriteVolume(at: target)
        case .fullCopyRestore:
            return try restoredCluster { id in
                try control.restoreToPointInTime(
                    PointInTimeRestore(
                        identifier: id, source: Self.cluster, restoreType: .fullCopy, restoreToTime: target))
            }
        case .snapshotReplay:
            return try restoredCluster(
                { id in
                    try control.restoreFromSnapshot(
                        SnapshotRestore(identifier: id, snapshot: Self.snapshot, engine: "aurora"))
                },
                then: { session in
                    for transaction in transactions(until: target) {
                        for statement in transaction.statements { try session.execute(statement) }
                    }
                })
        case .sqliteBackupReplay: return try sqliteReplay(to: target)
        case .mariaDBDumpReplay, .mariaDBFlashback:
            throw BenchError("\(method.rawValue) runs against MariaDB, not in process")
        }
    }

    private func backtrack(to target: Timestamp) throws -> Recovery {
        let recovery = try timed {
            try control.backtrack(Self.cluster, to: target)
            let session = try control.connect(to: Self.cluster, database: Self.database)
            try session.execute(Self.firstQuery)
            return session
        } verify: { session in
            defer { session.close() }
            return try session.checksum(Self.table)
        }
        clock.advance(seconds: 1)
        try control.backtrack(Self.cluster, to: latest)
        return recovery
    }

    /// A new cluster made by `create`, given an instance and a session that runs `then` and the first query.
    private func restoredCluster(
        _ create: (ClusterID) throws -> DBCluster, then prepare: (ClusterSession) throws -> Void = { _ in }
    ) throws -> Recovery {
        let id = ClusterID(name("bench-restore"))
        let instance = InstanceID("\(id)-instance")
        defer {
            _ = try? control.deleteInstance(instance)
            _ = try? control.deleteCluster(id, .skipFinalSnapshot)
        }
        return try timed {
            _ = try create(id)
            try control.createInstance(NewInstance(identifier: instance, cluster: id, engine: "aurora"))
            let session = try control.connect(to: id, database: Self.database)
            try prepare(session)
            try session.execute(Self.firstQuery)
            return session
        } verify: { session in
            defer { session.close() }
            return try session.checksum(Self.table)
        }
    }

    /// A copy-on-write volume restored from the page store at `target`, with a façade session on it.
    private func copyOnWriteVolume(at target: Timestamp) throws -> Recovery {
        let store = volume.store
        var restored: VolumeID?
        defer { if let restored { try? store.deleteVolume(restored) } }
        return try timed {
            let id = try store.restore(volume.volume, to: target, mode: .copyOnWrite, retention: .disabled)
            restored = id
            let session = try SQLVolume(vfs: volume.vfs, volume: id).session(database: Self.database)
            _ = try session.execute(Self.firstQuery)
            return session
        } verify: { session in
            defer { session.close() }
            return try session.checksum(Self.table)
        }
    }

    /// SQLite without Backtrack: the saved copy restored into a fresh `memdb` database with the backup API, then
    /// the logged SQL re-executed.
    private func sqliteReplay(to target: Timestamp) throws -> Recovery {
        let uri = "file:/\(name("bench-sqlite"))?vfs=memdb"
        return try timed {
            let db = try SQLiteConnection(uri: uri)
            try db.restore(from: saved)
            for transaction in transactions(until: target) {
                for statement in transaction.statements { try db.execute(statement) }
            }
            let first = try db.prepare(Self.firstQuery)
            _ = try first.step()
            return db
        } verify: { db in
            try db.mariaDBChecksum(of: Self.table)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
