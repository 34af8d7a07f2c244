/// Every way `backtrack bench` gets back to an earlier state. Each one ends with a session that has answered its
/// first query on the recovered state; the checksum that proves the state is taken after the clock stops.
public enum Method: String, CaseIterable, Codable, Sendable {
    /// `BacktrackDBCluster`: the head moves; then a new session and its first query.
    case backtrack = "backtrack"
    /// A copy-on-write clone at the latest time (`restore-db-cluster-to-point-in-time --restore-type
    /// copy-on-write`), an instance, a session. Its target is the newest state, not the past one.
    case cloneLatest = "clone-latest"
    /// A copy-on-write volume at the target time, straight from the page store (RDS has no such call).
    case copyOnWriteRestore = "cow-restore"
    /// `restore-db-cluster-to-point-in-time --restore-to-time`: every page of the target state copied.
    case fullCopyRestore = "full-copy-restore"
    /// The classic point-in-time recovery: restore the snapshot taken before the history, then replay the logged
    /// transactions up to the target through a session.
    case snapshotReplay = "snapshot-replay"
    /// SQLite alone: copy the saved database with the backup API into SQLite's `memdb`, then re-execute the
    /// logged SQL up to the target.
    case sqliteBackupReplay = "sqlite-backup-replay"
    /// MariaDB: load the `mariadb-dump` taken before the history, then `mariadb-binlog --stop-datetime | mariadb`.
    case mariaDBDumpReplay = "mariadb-dump-binlog"
    /// MariaDB: `mariadb-binlog --flashback --start-datetime | mariadb` from the newest state.
    case mariaDBFlashback = "mariadb-flashback"

    public var title: String {
        switch self {
        case .backtrack: "backtrack in place"
        case .cloneLatest: "clone (copy-on-write), latest"
        case .copyOnWriteRestore: "copy-on-write restore, past"
        case .fullCopyRestore: "full-copy restore, past"
        case .snapshotReplay: "snapshot + replay"
        case .sqliteBackupReplay: "SQLite backup API + replay"
        case .mariaDBDumpReplay: "MariaDB dump + binlog replay"
        case .mariaDBFlashback: "MariaDB binlog flashback"
        }
    }

    var needsMariaDB: Bool { self == .mariaDBDumpReplay || self == .mariaDBFlashback }

    /// Whether the target is the newest state rather than the past target.
    var targetsLatest: Bool { self == .cloneLatest }

    static func selected(mariaDB: Bool) -> [Method] { allCases.filter { mariaDB || !$0.needsMariaDB } }
}

/// The repeated timings of one method on one scenario and target, with the state it reached.
public struct Measurement: Sendable {
    public var method: Method
    public var rows: Int
    public var history: Int
    /// Commits between the target and the newest state (0 for a method that targets the newest state).
    public var commitsBack: Int
    /// The target's distance as a fraction of the history, as requested.
    public var distance: Double
    public var seconds: [Double]
    public var expectedChecksum: UInt32?
    /// The checksum of `sbtest1` each repetition reached (all must equal the expected one).
    public var checksums: [UInt32?]
    /// Why the method failed, if it did; a failed or wrong method has no meaningful time.
    public var error: String?

    public var matched: Bool {
        error == nil && !checksums.isEmpty && expectedChecksum != nil && checksums.allSatisfy { $0 == expectedChecksum }
    }

    public var median: Double { Self.median(seconds) }
    public var minimum: Double { seconds.min() ?? .nan }
    public var maximum: Double { seconds.max() ?? .nan }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
