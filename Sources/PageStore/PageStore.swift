import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An in-memory, copy-on-write page store with a time-indexed redo log: Aurora's storage layer in one process.
///
/// A store holds volumes; a volume holds named files of fixed-size pages. Every commit is atomic, takes the next
/// LSN and a timestamp from the injected `WallClock`, and is kept as history for the volume's backtrack window.
/// From that history a volume can be backtracked (or moved forward again) to its state at any time in the window,
/// cloned in O(1), restored to a new volume, and read at any retained state through a `ReadView`.
///
/// What it does not do: durability (everything lives in memory), byte-level file I/O (callers write whole pages;
/// the SQLite VFS maps SQLite's I/O onto pages) and transactions spanning volumes.
///
/// Concurrency: SQLite calls the VFS synchronously from its own threads, so the store is a synchronous `Sendable`
/// class with all state behind one `Mutex`. Page images are immutable and shared by reference, so critical
/// sections mostly swap references; a head read copies one page out under the lock.
///
/// Costs (n = commits in history, d = branch depth, K = `PageLog.keyframeSpacing`):
/// - head page read: O(1) (a memo of the head state's pages);
/// - read at a past state: O(d · log n) plus fewer than K delta applications;
/// - commit: O(pages written), plus O(pages cut off) when files shrink;
/// - backtrack, forward, time resolution: O(log n); clone: O(1); full-copy restore: O(pages).
public final class PageStore: Sendable {
    /// The clock that stamps commits and decides what is in the window.
    public let clock: any WallClock
    let state: Mutex<StoreState>
    /// Bumped, under the lock, by everything that changes some volume's head: see `headGeneration`.
    @usableFromInline let generation = Atomic<UInt64>(0)

    public init(clock: any WallClock) {
        self.clock = clock
        self.state = Mutex(StoreState())
    }

    /// Counts changes to any volume's head: commits, backtracks and deletions. Whatever a caller learned about a
    /// head together with generation g (see `summary(of:in:header:)`) still holds while this reads g, so a reader
    /// can revalidate with one atomic load instead of taking the store's lock: SQLite checks a database's change
    /// counter and size at the start of every transaction.
    /// Inlinable: SQLite asks several times per transaction, and a call into this module costs more than the load.
    @inlinable public var headGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Called under the lock after a head changed.
    private func headChanged() { generation.add(1, ordering: .releasing) }

    // MARK: Volumes

    /// Creates an empty volume whose history starts now.
    public func createVolume(retention: RetentionSettings) throws(PageStoreError) -> VolumeID {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in
            try state.createVolume(settings: retention, clock: now)
        }
    }

    /// Deletes a volume. Clones of it keep reading what they share with it. Fails while read views are open.
    public func deleteVolume(_ volume: VolumeID) throws(PageStoreError) {
        try state.withLock { state throws(PageStoreError) in
            try state.deleteVolume(volume)
            headChanged()
        }
    }

    /// Changes a volume's retention. A shorter window frees history at the next sweep.
    public func setRetention(_ retention: RetentionSettings, of volume: VolumeID) throws(PageStoreError) {
        let now = clock.now()
        try state.withLock { state throws(PageStoreError) in try state.setRetention(retention, of: volume, clock: now) }
    }

    public var volumes: [VolumeID] {
        state.withLock { state in state.volumes.keys }
    }

    // MARK: Commits and head reads

    /// Applies a batch atomically and returns the new LSN, position, time and digest.
    ///
    /// Sweeps history when enough versions were written since the last sweep (half as many as there were then),
    /// which keeps the sweep's cost amortised to O(1) per page written.
    @discardableResult
    public func commit(_ batch: CommitBatch, to volume: VolumeID) throws(PageStoreError) -> CommitInfo {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in
            let info = try state.commit(batch, to: volume, clock: now)
            headChanged()
            if state.versionsSinceSweep > max(Self.sweepVersionsMin, state.versionsAtLastSweep / 2) {
                state.sweep(clock: now)
            }
            return info
        }
    }

    /// Fewer versions than this since the last sweep never trigger one: small stores need no sweeping.
    static let sweepVersionsMin = 65_536

    /// The files at the volume's head.
    public func files(of volume: VolumeID) throws(PageStoreError) -> [String: FileShape] {
        try state.withLock { state throws(PageStoreError) in
            try state.headCatalog(state.volume(volume)).mapValues(\.shape)
        }
    }

    /// The shape of one file at the volume's head, or nil if the file does not exist there.
    public func shape(of file: String, in volume: VolumeID) throws(PageStoreError) -> FileShape? {
        try state.withLock { state throws(PageStoreError) in
            guard let volumeState = state.volumes[volume] else { throw .unknownVolume(volume) }
            return state.headFile(file, of: volumeState)?.shape
        }
    }

    /// A file's shape at the head (nil if it does not exist there) and the first `header.count` bytes of its page 1
    /// (zeros past the end), with the head generation they belong to: one lock for what SQLite asks at the start of
    /// a transaction.
    public func summary(of file: String, in volume: VolumeID, header: UnsafeMutableRawBufferPointer)
        throws(PageStoreError) -> HeadSummary
    {
        try state.withLock { state throws(PageStoreError) -> HeadSummary in
            guard let volume = state.volumes[volume] else { throw .unknownVolume(volume) }
            let generation = self.generation.load(ordering: .relaxed)
            header.initializeMemory(as: UInt8.self, repeating: 0)
            guard let head = state.headFile(file, of: volume) else {
                return HeadSummary(generation: generation, shape: nil)
            }
            if head.shape.pageCount >= 1, let bytes = state.headPage(volume, file: head.id, page: PageNumber(1)).bytes,
                let target = header.baseAddress
            {
                target.copyMemory(from: bytes, byteCount: min(header.count, head.shape.pageSize))
            }
            return HeadSummary(generation: generation, shape: head.shape)
        }
    }

    /// Copies a page of the head state into `buffer`, which must hold exactly one page. Never-written pages read
    /// as zeros. O(1) once the page is in the head memo.
    public func readPage(
        _ page: PageNumber, of file: String, in volume: VolumeID, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PageStoreError) {
        try state.withLock { state throws(PageStoreError) in
            guard let volume = state.volumes[volume] else { throw .unknownVolume(volume) }
            guard let head = state.headFile(file, of: volume) else {
                throw .unknownFile(file)
            }
            try Self.check(page, of: file, shape: head.shape, buffer: buffer.count)
            Self.copy(state.headPage(volume, file: head.id, page: page), into: buffer)
        }
    }

    /// Lends the bytes of a head page (see `PageImage.lend()`): the caller ends the loan with
    /// `PageImage.endLoan(of:)`. Nil for a page of zeros or past the end, which the caller reads by copying.
    public func lendPage(_ page: PageNumber, of file: String, in volume: VolumeID) throws(PageStoreError)
        -> UnsafeRawPointer?
    {
        try withHeadPage(page, of: file, in: volume) { stored, _ in stored.bytes.map(PageImage.lend(bytes:)) }
    }

    /// The pages among `images` whose bytes equal the head's: a writer drops them before committing, so that
    /// rewriting a page as it was leaves no trace. Compares content hashes first, so a changed page costs no
    /// byte comparison. Pages past the end never match.
    public func unchangedPages(among images: [UInt32: PageImage], of file: String, in volume: VolumeID)
        throws(PageStoreError) -> [UInt32]
    {
        try state.withLock { state throws(PageStoreError) -> [UInt32] in
            guard let volume = state.volumes[volume] else { throw .unknownVolume(volume) }
            guard let head = state.headFile(file, of: volume) else { return [] }
            var unchanged: [UInt32] = []
            for (page, image) in images where page >= 1 && page <= head.shape.pageCount {
                guard image.count == head.shape.pageSize else { continue }
                let stored = state.headPage(volume, file: head.id, page: PageNumber(page))
                guard stored.contentHash == image.contentHash else { continue }
                // Equal hashes: zero pages (hash 0) are equal outright, others are confirmed byte by byte.
                guard let bytes = stored.bytes else {
                    unchanged.append(page)
                    continue
                }
                if memcmp(bytes, image.base, image.count) == 0 { unchanged.append(page) }
            }
            return unchanged
        }
    }

    /// Calls `body` with a page of the head state, in place and under the store's lock: for comparing a page
    /// without copying it. `body` must be short and must not call the store. Nil if the page is past the end.
    public func withPage<R: Sendable>(
        _ page: PageNumber, of file: String, in volume: VolumeID, _ body: (UnsafeRawBufferPointer) -> R
    ) throws(PageStoreError) -> R? {
        try withHeadPage(page, of: file, in: volume) { stored, shape in
            guard let bytes = stored.bytes else {
                return [UInt8](repeating: 0, count: shape.pageSize).withUnsafeBytes(body)
            }
            return body(UnsafeRawBufferPointer(start: bytes, count: shape.pageSize))
        }
    }

    /// Calls `body` under the lock with a page of the head state, as the head memo holds it (valid only inside
    /// `body`), and the file's shape. Nil, without calling it, for a page past the end.
    private func withHeadPage<R>(
        _ page: PageNumber, of file: String, in volume: VolumeID, _ body: (HeadMemo.Page, FileShape) -> R?
    ) throws(PageStoreError) -> R? {
        try state.withLock { state throws(PageStoreError) -> R? in
            guard let volume = state.volumes[volume] else { throw .unknownVolume(volume) }
            guard let head = state.headFile(file, of: volume) else { throw .unknownFile(file) }
            guard page.rawValue >= 1, page.rawValue <= head.shape.pageCount else { return nil }
            return body(state.headPage(volume, file: head.id, page: page), head.shape)
        }
    }

    public func readPage(_ page: PageNumber, of file: String, in volume: VolumeID) throws(PageStoreError) -> [UInt8] {
        guard let shape = try files(of: volume)[file] else { throw .unknownFile(file) }
        var bytes = [UInt8](repeating: 0, count: shape.pageSize)
        let failure = bytes.withUnsafeMutableBytes { buffer -> PageStoreError? in
            do throws(PageStoreError) { try readPage(page, of: file, in: volume, into: buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        return bytes
    }

    static func check(_ page: PageNumber, of file: String, shape: FileShape, buffer: Int) throws(PageStoreError) {
        guard page.rawValue >= 1, page.rawValue <= shape.pageCount else {
            throw .pageOutOfRange(file: file, page: page, pageCount: shape.pageCount)
        }
        guard buffer == shape.pageSize else {
            throw .pageSizeMismatch(file: file, expected: shape.pageSize, actual: buffer)
        }
    }

    static func copy(_ page: HeadMemo.Page, into buffer: UnsafeMutableRawBufferPointer) {
        guard let bytes = page.bytes else {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            return
        }
        buffer.baseAddress!.copyMemory(from: bytes, byteCount: buffer.count)
    }

    // MARK: Time travel

    /// The volume's current state.
    public func head(of volume: VolumeID) throws(PageStoreError) -> ResolvedState {
        try state.withLock { state throws(PageStoreError) in try state.headState(of: volume) }
    }

    /// The digest of the volume's head state: O(1).
    public func digest(of volume: VolumeID) throws(PageStoreError) -> UInt64 { try head(of: volume).digest }

    /// The state the volume had at `time`, without moving it: O(log n).
    public func state(of volume: VolumeID, at time: Timestamp) throws(PageStoreError) -> ResolvedState {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in try state.state(of: volume, at: time, clock: now) }
    }

    /// Moves the volume's head to the state it had at `time`, backward or forward: O(log n), whatever the volume's
    /// size. The next commit starts a new branch. Returns the state resolved, whose `time` is the commit time.
    @discardableResult
    public func backtrack(_ volume: VolumeID, to time: Timestamp) throws(PageStoreError) -> ResolvedState {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in
            let resolved = try state.backtrack(volume, to: time, clock: now)
            headChanged()
            return resolved
        }
    }

    /// A copy-on-write clone of the volume's head: O(1), no page copied. Its history starts now.
    public func clone(_ volume: VolumeID, retention: RetentionSettings) throws(PageStoreError) -> VolumeID {
        try restore(volume, to: nil, mode: .copyOnWrite, retention: retention)
    }

    /// A new volume holding the source's state at `time` (its head if nil), sharing pages or copying them all.
    public func restore(
        _ volume: VolumeID, to time: Timestamp?, mode: RestoreMode, retention: RetentionSettings
    ) throws(PageStoreError) -> VolumeID {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in
            try state.restore(volume, at: time, mode: mode, settings: retention, clock: now)
        }
    }

    /// A read-only view of the volume's state at `time` (its head if nil). The view pins that state's history
    /// until it is released.
    public func readView(of volume: VolumeID, at time: Timestamp? = nil) throws(PageStoreError) -> ReadView {
        let now = clock.now()
        let resolved = try state.withLock { state throws(PageStoreError) in
            let resolved =
                if let time { try state.state(of: volume, at: time, clock: now) } else {
                    try state.headState(of: volume)
                }
            state.pin(resolved.position, volume: volume)
            return (resolved, state.catalog(at: resolved.position))
        }
        return ReadView(store: self, volume: volume, state: resolved.0, catalog: resolved.1)
    }

    // MARK: Retention

    /// Reclaims history that no retained state needs. Commits also sweep on their own, amortised.
    public func sweep() {
        let now = clock.now()
        state.withLock { state in state.sweep(clock: now) }
    }

    /// The volume's retention report: windows, change records, history versus live bytes.
    public func retention(of volume: VolumeID) throws(PageStoreError) -> RetentionReport {
        let now = clock.now()
        return try state.withLock { state throws(PageStoreError) in
            let volumeState = try state.volume(volume)
            let clamped = volumeState.observe(now)
            let earliest = volumeState.earliestBacktrackTime(now: clamped)
            let live = state.headCatalog(volumeState).values.reduce(0) { $0 + $1.shape.byteCount }
            return RetentionReport(
                settings: volumeState.settings,
                earliestBacktrackTime: earliest,
                earliestRestoreTime: volumeState.earliestRestoreTime(now: clamped),
                targetWindowSeconds: volumeState.settings.windowSeconds,
                actualWindowSeconds: earliest.map { (clamped.microseconds - $0.microseconds) / 1_000_000 } ?? 0,
                changeRecords: volumeState.changeRecordCount,
                historyBytes: state.historyBytes(of: volume),
                liveBytes: live)
        }
    }

    /// How many commits the volume's retained history holds at or after `time` (Aurora's change-record creation
    /// rate is this over the last five minutes). O(log n) to find the first, then linear in the count.
    public func commitCount(of volume: VolumeID, since time: Timestamp) throws(PageStoreError) -> Int {
        try state.withLock { state throws(PageStoreError) in try state.volume(volume).commitCount(since: time) }
    }

    /// Store-wide memory accounting.
    public func footprint() -> StoreFootprint {
        state.withLock { state in state.footprint() }
    }
}
