import CSQLite
import PageStore
import Synchronization

/// The state every connection to one database file shares: SQLite's lock protocol and the change counter.
///
/// Locks follow SQLite's rollback-journal protocol (os_unix.c's comments describe it): any number of SHARED
/// holders, one RESERVED holder (the writer) that may coexist with readers, PENDING (the writer waits for
/// readers to leave and no new reader may enter) and EXCLUSIVE. A refused lock returns `SQLITE_BUSY`, and SQLite's
/// busy handler retries under the connection's busy timeout.
final class SharedFile: Sendable {
    struct Key: Hashable {
        var volume: VolumeID
        var file: String
    }

    struct State {
        var readers = 0
        var writer: ObjectIdentifier?
        var pending = false
        var exclusive = false
        /// The highest file change counter ever committed, on any branch: see `nextCounter`.
        var maxCounter: UInt32
    }

    let state: Mutex<State>

    init(initialCounter: UInt32) {
        state = Mutex(State(maxCounter: initialCounter))
    }

    /// Moves a handle from `current` to `target` (SHARED, RESERVED or EXCLUSIVE). Returns the level reached and
    /// SQLite's result code.
    func lock(_ owner: ObjectIdentifier, from current: Int32, to target: Int32) -> (Int32, Int32) {
        state.withLock { state in
            var level = current
            if level < SQLITE_LOCK_SHARED {
                guard !state.pending, !state.exclusive else { return (level, SQLITE_BUSY) }
                state.readers += 1
                level = SQLITE_LOCK_SHARED
            }
            if target >= SQLITE_LOCK_RESERVED, level < SQLITE_LOCK_RESERVED {
                guard state.writer == nil || state.writer == owner else { return (level, SQLITE_BUSY) }
                state.writer = owner
                level = SQLITE_LOCK_RESERVED
            }
            if target == SQLITE_LOCK_EXCLUSIVE, level < SQLITE_LOCK_EXCLUSIVE {
                // PENDING keeps new readers out while the writer waits for the current ones to finish.
                state.pending = true
                level = SQLITE_LOCK_PENDING
                guard state.readers == 1 else { return (level, SQLITE_BUSY) }
                state.exclusive = true
                level = SQLITE_LOCK_EXCLUSIVE
            }
            return (level, SQLITE_OK)
        }
    }

    /// Moves a handle down to `target` (SHARED or NONE). Releasing the writer role never depends on the level
    /// the handle believes it holds, so a handle left at PENDING by a refused EXCLUSIVE cannot leak it.
    func unlock(_ owner: ObjectIdentifier, from current: Int32, to target: Int32) {
        state.withLock { state in
            if state.writer == owner {
                state.writer = nil
                state.pending = false
                state.exclusive = false
            }
            if target == SQLITE_LOCK_NONE, current >= SQLITE_LOCK_SHARED { state.readers -= 1 }
        }
    }

    var isReserved: Bool { state.withLock { $0.writer != nil } }

    /// The change counter a commit must carry: above every counter ever committed to this file.
    ///
    /// After a backtrack the next commit would otherwise reuse the counter of a discarded commit, and a
    /// connection that had cached that discarded state would keep serving it (sqlite-vfs-findings.md §6.3,
    /// pitfall 2). Returns nil when `proposed` is already new.
    func nextCounter(proposed: UInt32) -> UInt32? {
        state.withLock { state in
            if proposed > state.maxCounter {
                state.maxCounter = proposed
                return nil
            }
            state.maxCounter &+= 1
            return state.maxCounter
        }
    }

    /// The file change counter: bytes 24..27 of the database header, big-endian.
    static func counter(in page: UnsafeRawBufferPointer) -> UInt32 {
        guard page.count >= 100 else { return 0 }
        return page[24..<28].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Writes `counter` as the change counter and the version-valid-for number (bytes 92..95).
    static func setCounter(_ counter: UInt32, in page: inout [UInt8]) {
        for (offset, shift) in zip(0..<4, [24, 16, 8, 0]) {
            page[24 + offset] = UInt8(truncatingIfNeeded: counter >> UInt32(shift))
            page[92 + offset] = UInt8(truncatingIfNeeded: counter >> UInt32(shift))
        }
    }
}
