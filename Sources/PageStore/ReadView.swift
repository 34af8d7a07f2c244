/// A read-only, consistent view of one retained state of a volume.
///
/// While a view is alive, the history its state needs is pinned: sweeps keep it, and the volume cannot be
/// deleted. Commits, backtracks and clones go on around it. Reads cost O(branch depth · log versions) plus
/// fewer than `PageLog.keyframeSpacing` delta applications.
public final class ReadView: Sendable {
    let store: PageStore
    public let volume: VolumeID
    public let state: ResolvedState
    /// The files of the viewed state: fixed for the view's life, so reads need no lookup under the lock.
    let catalog: [String: HeadMemo.FileHead]

    init(store: PageStore, volume: VolumeID, state: ResolvedState, catalog: [String: HeadMemo.FileHead]) {
        self.store = store
        self.volume = volume
        self.state = state
        self.catalog = catalog
    }

    deinit {
        let (position, volume) = (state.position, volume)
        store.state.withLock { state in state.unpin(position, volume: volume) }
    }

    /// The digest of the viewed state: O(1).
    public var digest: UInt64 { state.digest }

    /// The files of the viewed state.
    public func files() -> [String: FileShape] { catalog.mapValues(\.shape) }

    /// The shape of one file in the viewed state, or nil if it did not exist then.
    public func shape(of file: String) -> FileShape? { catalog[file]?.shape }

    /// Copies a page of the viewed state into `buffer`, which must hold exactly one page.
    public func readPage(_ page: PageNumber, of file: String, into buffer: UnsafeMutableRawBufferPointer)
        throws(PageStoreError)
    {
        guard let head = catalog[file] else { throw .unknownFile(file) }
        try PageStore.check(page, of: file, shape: head.shape, buffer: buffer.count)
        let position = state.position
        let destination = CallerBuffer(bytes: buffer)
        store.state.withLock { state in state.read(head.id, page: page, at: position, into: destination.bytes) }
    }

    /// Lends a page of the viewed state in place (see `PageImage.lend()`) when no copy is needed to rebuild it:
    /// nil for an older version kept as a delta, a page of zeros or a page past the end.
    public func lendPage(_ page: PageNumber, of file: String) -> UnsafeRawPointer? {
        guard let head = catalog[file], page.rawValue >= 1, page.rawValue <= head.shape.pageCount else { return nil }
        let position = state.position
        return store.state.withLock { state in state.lend(head.id, page: page, at: position) }
    }

    public func readPage(_ page: PageNumber, of file: String) throws(PageStoreError) -> [UInt8] {
        guard let shape = files()[file] else { throw .unknownFile(file) }
        var bytes = [UInt8](repeating: 0, count: shape.pageSize)
        let failure = bytes.withUnsafeMutableBytes { buffer -> PageStoreError? in
            do throws(PageStoreError) { try readPage(page, of: file, into: buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        return bytes
    }
}

/// A caller's page buffer, written under the store's lock during one call and never kept.
///
/// `@unchecked Sendable`: the region checker cannot see through `StoreState.read` that the buffer is not stored
/// in the state; it is only written before the call returns, on the caller's thread.
struct CallerBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
}
