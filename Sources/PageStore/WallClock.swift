import Synchronization

/// Where commit timestamps come from. Core modules never read the system clock directly (STYLE.md §4): `serve`
/// injects `SystemClock`, tests and `lab` inject a `ManualClock`.
public protocol WallClock: Sendable {
    /// The current time. The store clamps it so that commit timestamps never decrease within a volume, so a
    /// clock that goes back is harmless.
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}

/// A clock that moves only when told to. Safe to share between threads.
public final class ManualClock: WallClock {
    private let current: Atomic<Int64>

    public init(_ start: Timestamp = Timestamp(microseconds: 1_800_000_000_000_000)) {
        current = Atomic(start.rawValue)
    }

    public func now() -> Timestamp { Timestamp(microseconds: current.load(ordering: .relaxed)) }

    /// Moves the clock by a number of microseconds (negative values move it back, which the store clamps).
    public func advance(microseconds: Int64) {
        current.add(microseconds, ordering: .relaxed)
    }

    public func advance(seconds: Int64) { advance(microseconds: seconds * 1_000_000) }

    public func set(_ time: Timestamp) { current.store(time.rawValue, ordering: .relaxed) }
}

/// The system clock plus an offset that can be moved, or, when frozen, a manual clock: what `serve` runs on, so
/// that a test can move the simulated time of a live server (its admin request) without stopping it.
public final class OffsetClock: WallClock {
    private let offset = Atomic<Int64>(0)
    private let frozenAt: Atomic<Int64>
    private let frozen: Bool

    /// `frozen` makes it a manual clock starting at `start` (the system time if nil); otherwise it runs with the
    /// system clock, starting at `start` if given.
    public init(frozen: Bool, start: Timestamp? = nil) {
        self.frozen = frozen
        let real = SystemClock().now()
        frozenAt = Atomic((start ?? real).rawValue)
        if !frozen, let start { offset.store(start.rawValue - real.rawValue, ordering: .relaxed) }
    }

    public var isFrozen: Bool { frozen }

    public func now() -> Timestamp {
        if frozen { return Timestamp(microseconds: frozenAt.load(ordering: .relaxed)) }
        return SystemClock().now().adding(microseconds: offset.load(ordering: .relaxed))
    }

    public func advance(microseconds: Int64) {
        if frozen {
            frozenAt.add(microseconds, ordering: .relaxed)
        } else {
            offset.add(microseconds, ordering: .relaxed)
        }
    }

    public func set(_ time: Timestamp) {
        if frozen {
            frozenAt.store(time.rawValue, ordering: .relaxed)
        } else {
            offset.store(time.rawValue - SystemClock().now().rawValue, ordering: .relaxed)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
