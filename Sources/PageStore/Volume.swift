/// One volume's mutable state: its head, its wall-clock history, its retention settings and its head cache.
final class Volume {
    /// A state the volume has had: the commit (or creation) that produced it.
    struct StateRecord {
        var position: Position
        /// When this state was committed: what a backtrack to it reports as the resolved time.
        var time: Timestamp
        var digest: UInt64
        /// True for a commit, false for the volume's creation state.
        var isCommit: Bool
        /// Bytes of history this commit added (the versions it superseded); what a byte budget trades away.
        var historyBytes: Int
    }

    /// Something that moved the head at a wall-clock time: a commit, a backtrack or the creation.
    struct Event {
        var time: Timestamp
        /// Absolute index into `states` (see `statesBase`).
        var state: Int
    }

    let id: VolumeID
    let createdAt: Timestamp
    var head: Position
    var settings: RetentionSettings
    /// No state before this time is guaranteed any more: raised when the window is lowered or disabled, or when
    /// a byte budget shrinks the actual window. It never moves back, so raising the window again does not
    /// pretend that reclaimed history is still there. Derived from settings and the clock only, never from
    /// when sweeps ran, so every answer is deterministic.
    var historyFloor: Timestamp?
    /// No backtrack may target a time before this: raised when the backtrack window is changed (see `update`).
    var backtrackFloor: Timestamp?
    /// States in commit order (LSN ascending), the oldest ones trimmed by retention.
    var states: [StateRecord]
    /// How many states were trimmed from the front: `states[i - statesBase]` is absolute index `i`.
    var statesBase = 0
    /// The wall-clock history, in time order. The state at time t is that of the last event at or before t.
    var events: [Event]
    /// Timestamps never decrease within a volume: the clock is clamped to this.
    var lastTime: Timestamp
    var memo = HeadMemo()
    var readViews = 0

    init(id: VolumeID, createdAt: Timestamp, head: Position, digest: UInt64, settings: RetentionSettings) {
        self.id = id
        self.createdAt = createdAt
        self.head = head
        self.settings = settings
        self.states = [StateRecord(position: head, time: createdAt, digest: digest, isCommit: false, historyBytes: 0)]
        self.events = [Event(time: createdAt, state: 0)]
        self.lastTime = createdAt
    }

    var headState: StateRecord { state(events[events.count - 1].state) }

    func state(_ absolute: Int) -> StateRecord { states[absolute - statesBase] }

    /// The last event at or before `time`, by binary search: O(log events).
    func event(atOrBefore time: Timestamp) -> Event? {
        var low = 0
        var high = events.count
        while low < high {
            let mid = (low + high) / 2
            if events[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : events[low - 1]
    }

    /// The volume's reading of the clock: never earlier than any time it has seen, so that a clock that goes
    /// back can neither reorder commits nor bring back a state a sweep already judged out of the window.
    func observe(_ clock: Timestamp) -> Timestamp {
        lastTime = max(lastTime, clock)
        return lastTime
    }

    /// The longer of the backtrack and restore windows: how far back history is kept.
    var keptSeconds: Int64 { max(settings.windowSeconds, settings.restoreWindowSeconds) }

    /// Changes the windows. The floor rises to the earliest time the old windows kept: history before it may be
    /// reclaimed already, so a longer window only counts from now on.
    func update(_ new: RetentionSettings, now: Timestamp) {
        let floor = earliestRestoreTime(now: now)
        historyFloor = max(historyFloor ?? floor, floor)
        // Backtracking gives up what the shorter of the old and new windows no longer covers, even where the
        // restore window still keeps the history: Aurora purges change records when the window is lowered, and
        // raising it again does not bring them back.
        let before = earliestBacktrackTime(now: now)
        settings = new
        if let before, let after = earliestBacktrackTime(now: now) {
            let lost = max(before, after)
            backtrackFloor = max(backtrackFloor ?? lost, lost)
        }
    }

    /// The earliest time a backtrack may target, given the clock: nil when backtracking is disabled.
    func earliestBacktrackTime(now: Timestamp) -> Timestamp? {
        guard settings.windowSeconds > 0 else { return nil }
        let earliest = earliest(windowSeconds: settings.windowSeconds, now: now)
        return min(max(earliest, backtrackFloor ?? earliest), now)
    }

    /// The earliest time a restore or a read view may target. History is kept for the longer of the two
    /// windows; with both at 0 only the head is kept.
    func earliestRestoreTime(now: Timestamp) -> Timestamp {
        earliest(windowSeconds: keptSeconds, now: now)
    }

    private func earliest(windowSeconds: Int64, now: Timestamp) -> Timestamp {
        var earliest = max(createdAt, now.adding(seconds: -windowSeconds))
        if let historyFloor { earliest = max(earliest, historyFloor) }
        return min(earliest, now)
    }

    /// Retained commits at or after `time`, counting commits later discarded by a backtrack: they were created.
    /// Commit times never decrease in `states`, so this is a binary search.
    func commitCount(since time: Timestamp) -> Int {
        var low = 0
        var high = states.count
        while low < high {
            let mid = (low + high) / 2
            if states[mid].time < time { low = mid + 1 } else { high = mid }
        }
        return states[low...].lazy.filter(\.isCommit).count
    }

    /// Commits kept as history, the head's own commit excluded (Aurora's `BacktrackChangeRecordsStored`).
    var changeRecordCount: Int {
        let head = events[events.count - 1].state - statesBase
        return states.indices.lazy.filter { $0 != head && self.states[$0].isCommit }.count
    }
}

/// A lazily filled cache of the head state's page images, so that head reads are O(1).
///
/// Every slot carries the epoch it was filled in. Moving the head to an unrelated state (a backtrack) bumps the
/// epoch, which invalidates every slot in O(1); each page is resolved from history on its first read after.
/// Slots are indexed by `FileID` and page, in dense arrays: no hashing on the read path.
///
/// A slot also holds its image's byte address and content hash, so that a head read or a commit's digest update
/// touches neither the image object nor its reference count: on a table much larger than the CPU caches, that
/// object is one more cache miss per page read.
struct HeadMemo {
    /// A head page as the memo holds it. `bytes` is nil for a page of zeros; it stays valid while the store's lock
    /// is held, since the memo keeps the image alive.
    ///
    /// `@unchecked Sendable`: the bytes are immutable, and a `Page` is used only under the lock it was found under.
    struct Page: @unchecked Sendable {
        var bytes: UnsafeRawPointer?
        var contentHash: UInt64
    }

    struct Slot {
        var image: PageImage?
        var page = Page(bytes: nil, contentHash: 0)
        var epoch: UInt32 = 0
    }

    struct FileHead {
        var id: FileID
        var shape: FileShape
        var salt: UInt64
    }

    /// Starts at 1 so that zero-initialised slots are never valid.
    private(set) var epoch: UInt32 = 1
    private var slots: [ContiguousArray<Slot>] = []
    /// The files at the head by name, or nil when they must be resolved again.
    var catalog: [String: FileHead]? {
        didSet { lastLookup = nil }
    }
    /// The last name looked up: reads come in runs on one file, and comparing a short string is cheaper than
    /// hashing it.
    private var lastLookup: (name: String, head: FileHead)?

    mutating func invalidate() {
        epoch &+= 1
        if epoch == 0 { epoch = 1 }
        catalog = nil
    }

    /// The head's file by name, if the catalog is resolved.
    mutating func file(named name: String) -> FileHead? {
        if let lastLookup, lastLookup.name == name { return lastLookup.head }
        guard let head = catalog?[name] else { return nil }
        lastLookup = (name, head)
        return head
    }

    /// The cached page, if its slot is from the current epoch. Mutating only so that the slot is reached through
    /// in-place access: a plain read of the nested array would retain it and the image.
    mutating func cached(_ file: FileID, _ page: PageNumber) -> Page? {
        let fileIndex = Int(file.rawValue)
        let index = page.index
        guard fileIndex < slots.count else { return nil }
        let epoch = self.epoch
        return slots[fileIndex].withUnsafeMutableBufferPointer { row in
            index < row.count && row[index].epoch == epoch ? row[index].page : nil
        }
    }

    /// Caches `image` (nil: zeros) as the head's page and returns it as the memo holds it.
    @discardableResult
    mutating func store(_ image: PageImage?, file: FileID, page: PageNumber) -> Page {
        let fileIndex = Int(file.rawValue)
        if slots.count <= fileIndex { slots.append(contentsOf: repeatElement([], count: fileIndex + 1 - slots.count)) }
        let index = page.index
        if slots[fileIndex].count <= index {
            slots[fileIndex].append(contentsOf: repeatElement(Slot(), count: index + 1 - slots[fileIndex].count))
        }
        let cached = Page(bytes: image.map { UnsafeRawPointer($0.base) }, contentHash: image?.contentHash ?? 0)
        slots[fileIndex][index] = Slot(image: image, page: cached, epoch: epoch)
        return cached
    }

    /// Drops slots from before the current epoch, so that memory they pin can return.
    mutating func dropStale() {
        for fileIndex in slots.indices {
            for index in slots[fileIndex].indices where slots[fileIndex][index].epoch != epoch {
                slots[fileIndex][index] = Slot()
            }
        }
    }
}

/// How long a volume keeps history.
public struct RetentionSettings: Hashable, Sendable {
    /// The target backtrack window; 0 disables backtracking (only the head and pinned states are kept).
    public var windowSeconds: Int64
    /// How long past states stay restorable to a new volume or readable through read views (Aurora's backup
    /// retention period). History is kept for the longer of the two windows.
    public var restoreWindowSeconds: Int64
    /// An optional cap on the volume's history bytes; when history exceeds it, the actual windows shrink.
    public var historyBytesMax: Int?

    public init(windowSeconds: Int64, restoreWindowSeconds: Int64 = 0, historyBytesMax: Int? = nil) {
        self.windowSeconds = windowSeconds
        self.restoreWindowSeconds = restoreWindowSeconds
        self.historyBytesMax = historyBytesMax
    }

    public static let disabled = RetentionSettings(windowSeconds: 0)
}
