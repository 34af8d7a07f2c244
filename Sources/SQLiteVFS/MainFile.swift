import CSQLite
import PageStore

#if canImport(Glibc)
    import Glibc
#endif

/// One connection's handle on a database file stored in the page store.
///
/// SQLite's byte I/O maps onto store pages: a store file's page size is fixed when the file is first written
/// (SQLite's page size then), and I/O of any other size or alignment (a header read, a page-size change by
/// VACUUM) is served by read-modify-write over whole store pages. A handle is used by one SQLite connection, so
/// by one thread at a time; only `SharedFile` is shared.
final class MainFile {
    let vfs: StoreVFS
    let volume: VolumeID
    let name: String
    let shared: SharedFile
    /// Set for a connection pinned to a past state: reads come from the view, and nothing is ever written.
    let view: ReadView?
    private(set) var lockLevel = SQLITE_LOCK_NONE
    /// The store's page size for this file; 0 until the file exists with a known size.
    private var pageSize = 0
    /// Pages written by this connection's open transaction, by store page number.
    private var pending: [UInt32: [UInt8]] = [:]
    /// The file size this connection's open transaction has set, in bytes.
    private var pendingSize: Int?
    /// One page of scratch for reads and writes that cover part of a page.
    private var scratch: [UInt8] = []

    init(vfs: StoreVFS, volume: VolumeID, name: String, view: ReadView?) {
        self.vfs = vfs
        self.volume = volume
        self.name = name
        self.view = view
        shared = vfs.sharedFile(volume: volume, file: name)
        pageSize = storeShape()?.pageSize ?? 0
    }

    private var owner: ObjectIdentifier { ObjectIdentifier(self) }

    /// The file's shape in the store: at the view's state, or at the head.
    private func storeShape() -> FileShape? {
        if let view { return view.shape(of: name) }
        return (try? vfs.store.shape(of: name, in: volume)) ?? nil
    }

    /// True if the file exists in the store (at the view's state, or at the head).
    var exists: Bool { storeShape() != nil }

    // MARK: Size

    func size() -> Int {
        if let pendingSize { return pendingSize }
        return storeShape()?.byteCount ?? 0
    }

    func truncate(to bytes: Int) -> Int32 {
        guard view == nil else { return SQLITE_READONLY }
        pendingSize = bytes
        if pageSize > 0 {
            let pages = UInt32((bytes + pageSize - 1) / pageSize)
            pending = pending.filter { $0.key <= pages }
        }
        return SQLITE_OK
    }

    // MARK: Reads

    /// Fills `buffer` from `offset`; past the end it zero-fills and reports a short read, as SQLite requires.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int32 {
        if pageSize == 0 { pageSize = storeShape()?.pageSize ?? 0 }
        guard pageSize > 0 else { return shortRead(buffer) }
        // The common case, SQLite reading one whole aligned page, asks the store once: a page past the end
        // comes back as `.pastEnd` instead of needing a size query first.
        if buffer.count == pageSize, offset % pageSize == 0 {
            if let pendingSize, offset + pageSize > pendingSize { return shortRead(buffer) }
            switch readPage(UInt32(offset / pageSize) + 1, into: buffer) {
            case .read: return SQLITE_OK
            case .pastEnd: return shortRead(buffer)
            case .failed: return BACKTRACK_SQLITE_IOERR_READ
            }
        }
        // A read inside one stored page (the change-counter check at every transaction start): copy just that
        // slice, in place, without a size query.
        let page = UInt32(offset / pageSize) + 1
        if view == nil, pendingSize == nil, pending.isEmpty, (offset + buffer.count - 1) / pageSize == offset / pageSize
        {
            let start = offset % pageSize
            let target = SliceTarget(bytes: buffer)
            let copied = try? vfs.store.withPage(PageNumber(page), of: name, in: volume) { stored -> Bool in
                target.bytes.baseAddress!.copyMemory(from: stored.baseAddress! + start, byteCount: target.bytes.count)
                return true
            }
            if copied == true { return SQLITE_OK }
            if copied == nil { return shortRead(buffer) }
        }
        let fileSize = size()
        if scratch.count != pageSize { scratch = [UInt8](repeating: 0, count: pageSize) }
        var done = 0
        while done < buffer.count {
            let position = offset + done
            let length = min(buffer.count - done, pageSize - position % pageSize)
            if position >= fileSize {
                UnsafeMutableRawBufferPointer(rebasing: buffer[done...]).initializeMemory(as: UInt8.self, repeating: 0)
                return BACKTRACK_SQLITE_IOERR_SHORT_READ
            }
            let outcome = scratch.withUnsafeMutableBytes { readPage(UInt32(position / pageSize) + 1, into: $0) }
            if outcome == .failed { return BACKTRACK_SQLITE_IOERR_READ }
            let start = position % pageSize
            scratch.withUnsafeBytes { source in
                buffer.baseAddress!.advanced(by: done).copyMemory(
                    from: source.baseAddress!.advanced(by: start), byteCount: length)
            }
            done += length
        }
        return SQLITE_OK
    }

    private func shortRead(_ buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return BACKTRACK_SQLITE_IOERR_SHORT_READ
    }

    private enum ReadOutcome {
        case read, pastEnd, failed
    }

    /// One whole store page: this transaction's pending image, else the store's. Past the end it zero-fills.
    private func readPage(_ page: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        if let image = pending[page] {
            image.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return .read
        }
        do {
            if let view {
                guard page <= view.shape(of: name)?.pageCount ?? 0 else { return zeroFill(buffer) }
                try view.readPage(PageNumber(page), of: name, into: buffer)
            } else {
                try vfs.store.readPage(PageNumber(page), of: name, in: volume, into: buffer)
            }
            return .read
        } catch .pageOutOfRange {
            return zeroFill(buffer)
        } catch {
            return .failed
        }
    }

    private func zeroFill(_ buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return .pastEnd
    }

    // MARK: Writes

    /// Buffers a write as pending; nothing reaches the store before the commit.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int32 {
        guard view == nil else { return SQLITE_READONLY }
        if pageSize == 0 {
            // A new file takes SQLite's page size from its first write, which is always a whole page 1.
            let size = bytes.count
            pageSize = size >= 512 && size <= 65_536 && size & (size - 1) == 0 ? size : 4096
        }
        // The store's size matters only for a first write in this transaction or a partial page.
        var knownStoreSize: Int?
        func storeSize() -> Int {
            if let knownStoreSize { return knownStoreSize }
            let size = storeShape()?.byteCount ?? 0
            knownStoreSize = size
            return size
        }
        var done = 0
        while done < bytes.count {
            let position = offset + done
            let page = UInt32(position / pageSize) + 1
            let start = position % pageSize
            let length = min(bytes.count - done, pageSize - start)
            if length == pageSize {
                // A whole page (what SQLite writes to a database file): take it as is.
                pending[page] = Array(UnsafeRawBufferPointer(rebasing: bytes[done..<(done + length)]))
                done += length
                continue
            }
            if pending[page] == nil {
                var image = [UInt8](repeating: 0, count: pageSize)
                if (Int(page) - 1) * pageSize < max(storeSize(), pendingSize ?? 0) {
                    guard image.withUnsafeMutableBytes({ readPage(page, into: $0) }) != .failed else {
                        return BACKTRACK_SQLITE_IOERR_WRITE
                    }
                }
                pending[page] = image
            }
            pending[page]!.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: start).copyMemory(
                    from: bytes.baseAddress!.advanced(by: done), byteCount: length)
            }
            done += length
        }
        pendingSize = max(pendingSize ?? storeSize(), offset + bytes.count)
        return SQLITE_OK
    }

    /// Publishes this transaction's pages as one store commit (`SQLITE_FCNTL_COMMIT_PHASETWO`).
    func commit() -> Int32 {
        guard lockLevel >= SQLITE_LOCK_RESERVED, pendingSize != nil || !pending.isEmpty else { return SQLITE_OK }
        let shape = storeShape()
        if let shape { dropUnchangedPages(against: shape) }
        if pending.isEmpty, pendingSize == nil {
            return SQLITE_OK
        }
        var batch = CommitBatch()
        if shape == nil { batch.createFile(name, pageSize: pageSize) }
        if var first = pending[1] {
            if let counter = shared.nextCounter(proposed: SharedFile.counter(in: first)) {
                SharedFile.setCounter(counter, in: &first)
                pending[1] = first
            }
        }
        for (page, image) in pending { batch.write(name, page: PageNumber(page), bytes: image) }
        if let pendingSize { batch.setPageCount(name, UInt32((pendingSize + pageSize - 1) / pageSize)) }
        do {
            try vfs.store.commit(batch, to: volume)
        } catch {
            return BACKTRACK_SQLITE_IOERR_WRITE
        }
        discardPending()
        return SQLITE_OK
    }

    /// Drops pending pages equal to the store's, and the whole transaction if all it changed is the change
    /// counter: a transaction rolled back to a savepoint and then committed rewrites its pages as they were,
    /// and it must leave no trace. The connection's cache stays safe: it sees a counter it did not write and
    /// reloads.
    private func dropUnchangedPages(against shape: FileShape) {
        guard shape.pageSize == pageSize else { return }
        var onlyCounterChanged = false
        for (page, image) in pending where page <= shape.pageCount {
            let comparison = image.withUnsafeBytes { mine in
                (try? vfs.store.withPage(PageNumber(page), of: name, in: volume) { stored in
                    Self.compare(mine, stored, ignoringCounter: page == 1)
                }) ?? nil
            }
            switch comparison {
            case .equal: pending[page] = nil
            case .counterOnly: onlyCounterChanged = true
            case .different, nil: continue
            }
        }
        let sameSize = (pendingSize ?? shape.byteCount) == shape.byteCount
        if sameSize, pending.isEmpty || (onlyCounterChanged && pending.count == 1) {
            discardPending()
        }
    }

    private enum Comparison {
        case equal, counterOnly, different
    }

    /// memcmp, and for page 1 also whether only the change counter and version-valid-for fields differ.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, ignoringCounter: Bool)
        -> Comparison
    {
        guard a.count == b.count, let x = a.baseAddress, let y = b.baseAddress else { return .different }
        if memcmp(x, y, a.count) == 0 { return .equal }
        guard ignoringCounter, a.count >= 100 else { return .different }
        let same =
            memcmp(x, y, 24) == 0 && memcmp(x + 28, y + 28, 64) == 0
            && memcmp(x + 96, y + 96, a.count - 96) == 0
        return same ? .counterOnly : .different
    }

    private func discardPending() {
        pending.removeAll(keepingCapacity: true)
        pendingSize = nil
    }

    // MARK: Locks

    func lock(_ target: Int32) -> Int32 {
        if view != nil || target <= lockLevel { return SQLITE_OK }
        let (level, result) = shared.lock(owner, from: lockLevel, to: target)
        lockLevel = level
        return result
    }

    /// Going below RESERVED with pages still pending is a rollback: they are dropped.
    func unlock(_ target: Int32) -> Int32 {
        if view != nil { return SQLITE_OK }
        if target < SQLITE_LOCK_RESERVED { discardPending() }
        if target < lockLevel || target == SQLITE_LOCK_NONE {
            shared.unlock(owner, from: lockLevel, to: target)
        }
        lockLevel = min(lockLevel, target)
        return SQLITE_OK
    }

    func close() {
        _ = unlock(SQLITE_LOCK_NONE)
    }
}

/// SQLite's read buffer, written inside one `PageStore.withPage` call and never kept.
///
/// `@unchecked Sendable`: the closure runs synchronously under the store's lock, on the caller's thread.
private struct SliceTarget: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
}
