/// Everything the store knows, behind `PageStore`'s mutex. Every method runs with the lock held.
///
/// Branches and volumes are classes so that a method can update one in place while reading others; none of
/// them escapes the lock.
struct StoreState {
    var nextLSN = LSN(1)
    var nextBranch: UInt32 = 1
    var nextVolume: UInt32 = 1
    var volumes = VolumeTable()
    var branches: [BranchID: Branch] = [:]
    var records = RecordLog()
    var fileIDs: [String: FileID] = [:]
    var fileNames: [FileID: FileName] = [:]
    /// Positions held by open read views, with how many views hold each.
    var pins: [Position: Int] = [:]
    /// Page versions written since the last automatic sweep (see `PageStore.commit`).
    var versionsSinceSweep = 0
    var versionsAtLastSweep = 0
    /// Set when a retained position may have gone away (events trimmed, a read view closed, a volume deleted):
    /// only then can a sweep find page versions to reclaim.
    var retainedPositionsDropped = false

    struct FileName {
        var name: String
        var salt: UInt64
    }

    func volume(_ id: VolumeID) throws(PageStoreError) -> Volume {
        guard let volume = volumes[id] else { throw .unknownVolume(id) }
        return volume
    }

    mutating func fileID(for name: String) -> FileID {
        if let id = fileIDs[name] { return id }
        let id = FileID(rawValue: UInt32(fileIDs.count + 1))
        fileIDs[name] = id
        fileNames[id] = FileName(name: name, salt: PageHash.salt(name: name))
        return id
    }

    mutating func newBranch(parent: Position?, owner: VolumeID, tip: LSN) -> Branch {
        let branch = Branch(id: BranchID(rawValue: nextBranch), parent: parent, owner: owner, tip: tip)
        nextBranch += 1
        branches[branch.id] = branch
        return branch
    }

    mutating func takeLSN() -> LSN {
        let lsn = nextLSN
        nextLSN = lsn.next
        return lsn
    }
}

// MARK: - Resolving positions

extension StoreState {
    /// The shape of a file at a position, walking up the branch's ancestry: O(depth × log versions).
    func shape(of file: FileID, at position: Position) -> FileShape? {
        var cursor: Position? = position
        while let current = cursor, let branch = branches[current.branch] {
            if let branchFile = branch.files[file], case .known(let shape) = branchFile.shape(atOrBefore: current.lsn) {
                return shape
            }
            cursor = branch.parent
        }
        return nil
    }

    /// Calls `body` with the log and version index that hold a page at a position, found by walking up the
    /// ancestry: O(depth × log versions). Nil, without calling it, if the page was never written there.
    private func withVersion<R>(
        of file: FileID, page: PageNumber, at position: Position, _ body: (PageLog, Int) -> R
    ) -> R? {
        var cursor: Position? = position
        while let current = cursor, let branch = branches[current.branch] {
            if let log = branch.files[file]?.pages[page.rawValue], let index = log.index(atOrBefore: current.lsn) {
                return body(log, index)
            }
            cursor = branch.parent
        }
        return nil
    }

    /// The bytes of a page at a position (nil: zeros). The caller checks the page is inside the file. Cost: the
    /// ancestry walk plus fewer than `PageLog.keyframeSpacing` delta applications.
    func image(of file: FileID, page: PageNumber, at position: Position) -> PageImage? {
        withVersion(of: file, page: page, at: position) { log, index in log.image(at: index, records: records) }
            ?? nil
    }

    /// Copies a page at a position into `buffer` (zeros if never written), without allocating. The caller checks
    /// the page is inside the file.
    func read(_ file: FileID, page: PageNumber, at position: Position, into buffer: UnsafeMutableRawBufferPointer) {
        let found: Void? = withVersion(of: file, page: page, at: position) { log, index in
            log.read(index, into: buffer, records: records)
        }
        if found == nil { buffer.initializeMemory(as: UInt8.self, repeating: 0) }
    }

    /// Lends a page at a position in place when that version is its branch's newest, kept whole; nil when it
    /// must be read by copying (an older version, or zeros). The caller checks the page is inside the file.
    func lend(_ file: FileID, page: PageNumber, at position: Position) -> UnsafeRawPointer? {
        withVersion(of: file, page: page, at: position) { log, index in log.lend(index) } ?? nil
    }

    /// Every file present at a position, by name.
    func catalog(at position: Position) -> [String: HeadMemo.FileHead] {
        var seen = Set<FileID>()
        var cursor: Position? = position
        while let current = cursor, let branch = branches[current.branch] {
            seen.formUnion(branch.files.keys)
            cursor = branch.parent
        }
        var catalog: [String: HeadMemo.FileHead] = [:]
        for id in seen {
            guard let shape = shape(of: id, at: position), let name = fileNames[id] else { continue }
            catalog[name.name] = HeadMemo.FileHead(id: id, shape: shape, salt: name.salt)
        }
        return catalog
    }

    /// The head's files, from the memo or resolved again after a backtrack.
    func headCatalog(_ volume: Volume) -> [String: HeadMemo.FileHead] {
        if let catalog = volume.memo.catalog { return catalog }
        let catalog = catalog(at: volume.head)
        volume.memo.catalog = catalog
        return catalog
    }

    /// A file of the head by name: the memo's last lookup, else the head's catalog. Nil if it does not exist there.
    func headFile(_ name: String, of volume: Volume) -> HeadMemo.FileHead? {
        volume.memo.file(named: name) ?? headCatalog(volume)[name]
    }

    /// A page of the head state, from the memo or resolved and memoised: O(1) once cached. Its bytes are valid
    /// while the lock is held.
    func headPage(_ volume: Volume, file: FileID, page: PageNumber) -> HeadMemo.Page {
        if let cached = volume.memo.cached(file, page) { return cached }
        return volume.memo.store(image(of: file, page: page, at: volume.head), file: file, page: page)
    }
}
