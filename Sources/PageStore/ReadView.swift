/// A read-only, consistent view of one retained state of a volume.
///
/// While a view is alive, the history its state needs is pinned: sweeps keep it, and the volume cannot be
/// deleted. Commits, backtracks and clones go on around it. Reads cost O(branch depth · log versions) plus
/// fewer than `PageLog.keyframeSpacing` delta applications.
public final class ReadView: Sendable {
    let store: PageStore
    public let volume: VolumeID
    public let state: ResolvedState

    init(store: PageStore, volume: VolumeID, state: ResolvedState) {
        self.store = store
        self.volume = volume
        self.state = state
    }

    deinit {
        let (position, volume) = (state.position, volume)
        store.state.withLock { state in state.unpin(position, volume: volume) }
    }

    /// The digest of the viewed state: O(1).
    public var digest: UInt64 { state.digest }

    /// The files of the viewed state.
    public func files() -> [String: FileShape] {
        let position = state.position
        return store.state.withLock { state in state.catalog(at: position).mapValues(\.shape) }
    }

    /// Copies a page of the viewed state into `buffer`, which must hold exactly one page.
    public func readPage(_ page: PageNumber, of file: String, into buffer: UnsafeMutableRawBufferPointer)
        throws(PageStoreError)
    {
        let position = state.position
        try store.state.withLock { state throws(PageStoreError) in
            guard let id = state.fileIDs[file], let shape = state.shape(of: id, at: position) else {
                throw .unknownFile(file)
            }
            try PageStore.check(page, of: file, shape: shape, buffer: buffer.count)
            PageStore.copy(state.image(of: id, page: page, at: position), into: buffer)
        }
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
