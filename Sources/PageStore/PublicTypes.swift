/// One atomic change to a volume: page images and file shapes across any of its files.
///
/// Build it freely; nothing touches the store until `PageStore.commit`, which applies all of it or none of it.
public struct CommitBatch: Sendable {
    enum FileChange: Sendable {
        case create(pageSize: Int)
        case delete
    }

    var changes: [String: FileChange] = [:]
    var pageCounts: [String: UInt32] = [:]
    var writes: [String: [UInt32: PageImage]] = [:]

    public init() {}

    /// Creates an empty file. Page sizes are powers of two from 512 to 65,536 bytes.
    public mutating func createFile(_ name: String, pageSize: Int) {
        changes[name] = .create(pageSize: pageSize)
        writes[name] = nil
        pageCounts[name] = nil
    }

    /// Deletes a file and everything in it.
    public mutating func deleteFile(_ name: String) {
        changes[name] = .delete
        writes[name] = nil
        pageCounts[name] = nil
    }

    /// Sets a file's page count after the commit. Pages past it are cut off; new pages read as zeros until
    /// written. Without this, the count grows to the highest page written.
    public mutating func setPageCount(_ name: String, _ count: UInt32) {
        pageCounts[name] = count
    }

    /// Writes one whole page. The byte count must equal the file's page size.
    public mutating func write(_ name: String, page: PageNumber, bytes: UnsafeRawBufferPointer) {
        writes[name, default: [:]][page.rawValue] = PageImage(copying: bytes)
    }

    /// Writes whole pages as images made beforehand, by page number: what a writer that collected its pages in a
    /// dictionary hands over without rebuilding it.
    public mutating func write(_ name: String, pages: [UInt32: PageImage]) {
        if writes[name] == nil {
            writes[name] = pages
        } else {
            writes[name]!.merge(pages) { _, new in new }
        }
    }

    public mutating func write(_ name: String, page: PageNumber, bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(name, page: page, bytes: $0) }
    }

    /// The names of the files this batch touches, sorted. An SQLite commit writes one file and sets its size,
    /// and builds no set for that.
    var fileNames: [String] {
        if writes.count == 1, changes.isEmpty, let name = writes.keys.first,
            pageCounts.isEmpty || (pageCounts.count == 1 && pageCounts[name] != nil)
        {
            return [name]
        }
        var names = Set(changes.keys)
        names.formUnion(pageCounts.keys)
        names.formUnion(writes.keys)
        return names.sorted()
    }

    public var isEmpty: Bool { changes.isEmpty && pageCounts.isEmpty && writes.isEmpty }
    public var pagesWritten: Int { writes.values.reduce(0) { $0 + $1.count } }
}

/// What a commit produced.
public struct CommitInfo: Hashable, Sendable {
    public var lsn: LSN
    public var position: Position
    /// The commit's timestamp: the clock's reading, clamped so that it never goes back within the volume.
    public var time: Timestamp
    /// The volume's digest after the commit.
    public var digest: UInt64
}

/// A state a volume had: where it is in the version graph, when it was committed and its digest.
public struct ResolvedState: Hashable, Sendable {
    public var position: Position
    /// The timestamp of the commit that produced this state (the volume's creation time for its first state).
    /// This is what Aurora reports as `BacktrackTo`.
    public var time: Timestamp
    public var digest: UInt64
}

/// How a restore to a new volume treats pages.
public enum RestoreMode: Sendable {
    /// Shares every page with the source (O(1)); the two diverge as either writes.
    case copyOnWrite
    /// Copies every page; the new volume shares nothing with the source.
    case fullCopy
}

/// A volume's retention report.
public struct RetentionReport: Hashable, Sendable {
    public var settings: RetentionSettings
    /// The earliest time a backtrack may target; nil when backtracking is disabled.
    public var earliestBacktrackTime: Timestamp?
    /// The earliest time a restore to a new volume or a read view may target.
    public var earliestRestoreTime: Timestamp
    /// The target window as configured.
    public var targetWindowSeconds: Int64
    /// The window actually available: shorter than the target while the volume is younger than it, or when a
    /// byte budget shrank it.
    public var actualWindowSeconds: Int64
    /// Commits kept as history for backtracking, the head's own commit excluded.
    public var changeRecords: Int
    /// Bytes held by the history this volume's branches own (older versions, their indexes and the log).
    public var historyBytes: Int
    /// Bytes of the head state's pages.
    public var liveBytes: Int
}

/// Store-wide memory accounting.
public struct StoreFootprint: Hashable, Sendable {
    /// Bytes of page images reachable from some volume's head.
    public var liveBytes: Int
    /// Bytes of history records that are referenced.
    public var historyRecordBytes: Int
    /// Bytes allocated for history records (chunks), live or not yet reclaimed.
    public var historyAllocatedBytes: Int
    /// Bytes of version indexes, wall-clock history and page-version arrays.
    public var indexBytes: Int
    public var branches: Int
}

/// What `PageStore.summary(of:in:header:)` reports: valid while `PageStore.headGeneration` equals `generation`.
public struct HeadSummary: Sendable {
    public var generation: UInt64
    public var shape: FileShape?
}
