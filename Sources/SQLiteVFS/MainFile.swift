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
    /// The VFS's store, held directly: reached through `vfs` on every read, it costs a retain and a release.
    private let store: PageStore
    let volume: VolumeID
    let name: String
    let shared: SharedFile
    /// Set for a connection pinned to a past state: reads come from the view, and nothing is ever written.
    let view: ReadView?
    private(set) var lockLevel = SQLITE_LOCK_NONE
    /// The store's page size for this file; 0 until the file exists with a known size.
    private var pageSize = 0
    /// Pages written by this connection's open transaction, by store page number: made into images (copied and
    /// hashed) as SQLite writes them, so that the commit hands them over without another copy.
    private var pending: [UInt32: PageImage] = [:]
    /// The file size this connection's open transaction has set, in bytes.
    private var pendingSize: Int?
    /// One page of scratch for reads and writes that cover part of a page.
    private var scratch: [UInt8] = []
    /// The head generation at which `headShape` and `header` were read, or nil before the first read.
    private var headGeneration: UInt64?
    /// The file's shape at the head, and the first bytes of its page 1 (the database header, with the change
    /// counter). SQLite asks for both at the start of every transaction; while no head in the store has changed
    /// they are answered without the store's lock.
    private var headShape: FileShape?
    private var header = [UInt8](repeating: 0, count: MainFile.headerBytes)
    static let headerBytes = 100
    /// Pages lent to SQLite by `fetch` and not yet given back.
    private(set) var lentPages = 0

    init(vfs: StoreVFS, volume: VolumeID, name: String, view: ReadView?) {
        self.vfs = vfs
        store = vfs.store
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
        refreshHead()
        return headShape
    }

    /// Rereads the head's shape and header if any head changed since they were read.
    private func refreshHead() {
        let generation = store.headGeneration
        guard generation != headGeneration else { return }
        let summary = header.withUnsafeMutableBytes { try? store.summary(of: name, in: volume, header: $0) }
        // Without a summary the volume is gone: the file reads as absent, and the next call asks again.
        headShape = summary?.shape
        headGeneration = summary?.generation
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
        // A read inside the database header (the change-counter check at every transaction start): answered from
        // the header kept with the head generation, without the store's lock while no head has changed.
        if view == nil, pendingSize == nil, pending.isEmpty, offset + buffer.count <= Self.headerBytes {
            guard let shape = storeShape(), shape.pageCount >= 1 else { return shortRead(buffer) }
            header.withUnsafeBytes {
                buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: buffer.count)
            }
            return SQLITE_OK
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

    /// A whole aligned page lent in place (xFetch): this transaction's pending image, else the store's (at the
    /// view's state, or at the head). Nil when the page must be read by copying: a page of zeros, past the end,
    /// partial, or an old version kept as a delta.
    func fetch(at offset: Int, count: Int) -> UnsafeRawPointer? {
        guard pageSize > 0, count == pageSize, offset % pageSize == 0 else { return nil }
        let page = UInt32(offset / pageSize) + 1
        let lent: UnsafeRawPointer?
        if let view {
            lent = view.lendPage(PageNumber(page), of: name)
        } else if let pendingSize, offset + pageSize > pendingSize {
            lent = nil
        } else if let image = pending[page] {
            lent = image.lend()
        } else {
            lent = try? store.lendPage(PageNumber(page), of: name, in: volume)
        }
        if lent != nil { lentPages += 1 }
        return lent
    }

    /// Takes back a page `fetch` lent (xUnfetch).
    func unfetch(_ bytes: UnsafeRawPointer) {
        lentPages -= 1
        PageImage.endLoan(of: bytes)
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
            image.withBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return .read
        }
        do {
            if let view {
                guard page <= view.shape(of: name)?.pageCount ?? 0 else { return zeroFill(buffer) }
                try view.readPage(PageNumber(page), of: name, into: buffer)
            } else {
                try store.readPage(PageNumber(page), of: name, in: volume, into: buffer)
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
                pending[page] = PageImage(copying: UnsafeRawBufferPointer(rebasing: bytes[done..<(done + length)]))
                done += length
                continue
            }
            // Part of a page: merge into the page as this transaction sees it, and make a new image of that.
            if scratch.count != pageSize { scratch = [UInt8](repeating: 0, count: pageSize) }
            let exists = pending[page] != nil || (Int(page) - 1) * pageSize < max(storeSize(), pendingSize ?? 0)
            let outcome = scratch.withUnsafeMutableBytes { whole in
                exists ? readPage(page, into: whole) : zeroFill(whole)
            }
            guard outcome != .failed else { return BACKTRACK_SQLITE_IOERR_WRITE }
            scratch.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: start).copyMemory(
                    from: bytes.baseAddress!.advanced(by: done), byteCount: length)
            }
            pending[page] = scratch.withUnsafeBytes { PageImage(copying: $0) }
            done += length
        }
        pendingSize = max(pendingSize ?? storeSize(), offset + bytes.count)
        return SQLITE_OK
    }

    /// Publishes this transaction's pages as one store commit (`SQLITE_FCNTL_COMMIT_PHASETWO`).
    func commit() -> Int32 {
        guard lockLevel >= SQLITE_LOCK_RESERVED, hasPendingWrites else { return SQLITE_OK }
        let shape = storeShape()
        if let shape { dropUnchangedPages(against: shape) }
        guard hasPendingWrites else { return SQLITE_OK }
        var batch = CommitBatch()
        if shape == nil { batch.createFile(name, pageSize: pageSize) }
        if let first = pending[1], let counter = shared.nextCounter(proposed: first.withBytes(SharedFile.counter(in:)))
        {
            var bytes = first.withBytes { Array($0) }
            SharedFile.setCounter(counter, in: &bytes)
            pending[1] = PageImage.make(bytes)
        }
        batch.write(name, pages: pending)
        if let pendingSize { batch.setPageCount(name, UInt32((pendingSize + pageSize - 1) / pageSize)) }
        do {
            try store.commit(batch, to: volume)
        } catch {
            return BACKTRACK_SQLITE_IOERR_WRITE
        }
        discardPending()
        return SQLITE_OK
    }

    /// Drops pending pages equal to the store's, and the whole transaction if all it changed is the change
    /// counter: a transaction rolled back to a savepoint and then committed rewrites its pages as they were,
    /// and it must leave no trace. The connection's cache stays safe: it sees a counter it did not write and
    /// reloads. One store call compares every page by content hash; only a transaction left with page 1 alone
    /// compares that page byte by byte.
    private func dropUnchangedPages(against shape: FileShape) {
        guard shape.pageSize == pageSize else { return }
        for page in (try? store.unchangedPages(among: pending, of: name, in: volume)) ?? [] {
            pending[page] = nil
        }
        guard (pendingSize ?? shape.byteCount) == shape.byteCount else { return }
        if pending.isEmpty {
            discardPending()
        } else if pending.count == 1, let first = pending[1] {
            let onlyCounter = first.withBytes { mine in
                (try? store.withPage(PageNumber(1), of: name, in: volume) { Self.equalBesideCounter(mine, $0) })
                    ?? false
            }
            if onlyCounter { discardPending() }
        }
    }

    /// True if two page-1 images are equal outside the change counter (bytes 24..27) and the version-valid-for
    /// number (bytes 92..95), the fields SQLite bumps at every COMMIT.
    private static func equalBesideCounter(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count, a.count >= 100, let x = a.baseAddress, let y = b.baseAddress else { return false }
        return memcmp(x, y, 24) == 0 && memcmp(x + 28, y + 28, 64) == 0 && memcmp(x + 96, y + 96, a.count - 96) == 0
    }

    /// True while this connection's transaction has written pages or set the size.
    private var hasPendingWrites: Bool { pendingSize != nil || !pending.isEmpty }

    private func discardPending() {
        if !pending.isEmpty { pending.removeAll(keepingCapacity: true) }
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
        if target < SQLITE_LOCK_RESERVED, hasPendingWrites { discardPending() }
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
