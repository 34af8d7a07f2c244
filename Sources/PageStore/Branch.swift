/// The size and page size of a file at some version.
public struct FileShape: Hashable, Sendable {
    public var pageSize: Int
    public var pageCount: UInt32
    public init(pageSize: Int, pageCount: UInt32) {
        self.pageSize = pageSize
        self.pageCount = pageCount
    }
    public var byteCount: Int { pageSize * Int(pageCount) }
}

/// An append-only line of commits with a parent position (Neon's timeline).
///
/// Reading page p at (branch b, LSN L): the newest version of p on b at or below L; if none, the same question
/// on the parent at its branch point; if there is no parent, the page does not exist.
final class Branch {
    let id: BranchID
    /// Where this branch starts: nil for a volume's first branch or a full-copy restore.
    let parent: Position?
    /// The volume whose commits this branch holds. History bytes are charged to it.
    let owner: VolumeID
    /// The last LSN committed on this branch, or the parent's LSN while it has no commits of its own.
    var tip: LSN
    var files: [FileID: BranchFile] = [:]
    /// History bytes this branch holds (records and version arrays), for retention reports and budgets.
    var historyBytes = 0

    init(id: BranchID, parent: Position?, owner: VolumeID, tip: LSN) {
        self.id = id
        self.parent = parent
        self.owner = owner
        self.tip = tip
    }
}

/// What one branch wrote for one file: its shapes over time and its page versions.
struct BranchFile {
    struct ShapeVersion {
        var lsn: LSN
        /// nil: the file did not exist (was deleted) from this LSN on.
        var shape: FileShape?
    }

    var shapes: [ShapeVersion] = []
    var pages: [UInt32: PageLog] = [:]

    /// The shape at or before `lsn`, or `.unknown` if this branch set none by then.
    func shape(atOrBefore lsn: LSN) -> ShapeLookup {
        var low = 0
        var high = shapes.count
        while low < high {
            let mid = (low + high) / 2
            if shapes[mid].lsn <= lsn { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? .unknown : .known(shapes[low - 1].shape)
    }
}

enum ShapeLookup {
    case unknown
    case known(FileShape?)
}
