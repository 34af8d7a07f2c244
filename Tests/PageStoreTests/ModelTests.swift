import PageStore
import Testing

/// Random sequences of commits, clock moves, backtracks (back and forward), clones, restores, window changes,
/// sweeps and reads at past times, run against the store and against a naive reference that keeps a whole copy of
/// every state. After every step the heads, the open read views and the digests must agree.
///
/// Replay a failure with `BACKTRACK_SEED=<seed> swift test --filter ModelTests`.
@Suite("Model-based randomized test")
struct ModelTests {
    static let fixedSeeds: [UInt64] = [1, 2, 3, 42, 1234, 9999, 31_337, 271_828]

    static var seeds: [UInt64] {
        if let text = Environment.value("BACKTRACK_SEED"), let seed = UInt64(text) { return [seed] }
        let fresh = UInt64.random(in: 0...UInt64.max)
        print("ModelTests: fresh seed \(fresh) (replay with BACKTRACK_SEED=\(fresh))")
        return fixedSeeds + [fresh]
    }

    @Test(arguments: seeds)
    func storeMatchesTheReference(seed: UInt64) throws {
        var model = try Model(seed: seed)
        for step in 0..<400 {
            try model.step()
            if let problem = try model.check() {
                Issue.record("seed \(seed), step \(step), after \(model.lastAction): \(problem)")
                return
            }
        }
    }
}

/// The reference: every state a volume ever had, whole.
struct RefFile: Hashable {
    var pageSize: Int
    var pages: [[UInt8]]
}

typealias RefState = [String: RefFile]

struct RefVolume {
    struct Event {
        var time: Timestamp
        var state: RefState
    }
    var createdAt: Timestamp
    var window: Int64
    var floor: Timestamp?
    var events: [Event]
    var lastTime: Timestamp
    var head: RefState { events[events.count - 1].state }

    func earliest(now: Timestamp) -> Timestamp {
        var earliest = max(createdAt, now.adding(seconds: -window))
        if let floor { earliest = max(earliest, floor) }
        return min(earliest, now)
    }

    /// The state at `time`, or the error the store must give.
    func resolve(_ time: Timestamp, now: Timestamp, backtrack: Bool) -> Result<RefState, PageStoreError> {
        if backtrack && window == 0 { return .failure(.backtrackDisabled(VolumeID(rawValue: 0))) }
        if time > now { return .failure(.timeInFuture(requested: time, now: now)) }
        let earliest = earliest(now: now)
        if time < earliest { return .failure(.timeBeforeEarliestBacktrack(requested: time, earliest: earliest)) }
        return .success(events.last { $0.time <= time }!.state)
    }
}

struct Model {
    var random: SeededGenerator
    let clock = ManualClock()
    let store: PageStore
    var ids: [VolumeID] = []
    var refs: [VolumeID: RefVolume] = [:]
    var views: [(ReadView, RefState)] = []
    var digests: [RefState: UInt64] = [:]
    var lastAction = "start"

    init(seed: UInt64) throws {
        random = SeededGenerator(seed: seed)
        store = PageStore(clock: clock)
        addVolume(try store.createVolume(retention: RetentionSettings(windowSeconds: 120)), window: 120, state: [:])
    }

    mutating func addVolume(_ id: VolumeID, window: Int64, state: RefState, createdAt: Timestamp? = nil) {
        let now = createdAt ?? clock.now()
        ids.append(id)
        refs[id] = RefVolume(
            createdAt: now, window: window, floor: window == 0 ? now : nil,
            events: [.init(time: now, state: state)], lastTime: now)
    }

    mutating func step() throws {
        let roll = Int.random(in: 0..<100, using: &random)
        let id = ids.randomElement(using: &random)!
        switch roll {
        case 0..<40: try commit(id)
        case 40..<55: moveClock()
        case 55..<70: try backtrack(id)
        case 70..<76: try restore(id)
        case 76..<86: try openView(id)
        case 86..<90: closeView()
        case 90..<94:
            lastAction = "sweep"
            for id in ids { _ = observe(id) }
            store.sweep()
        case 94..<97: try changeWindow(id)
        default: try delete(id)
        }
    }

    /// Every operation that reads the clock moves the volume's own time forward (`Volume.observe`).
    mutating func observe(_ id: VolumeID) -> Timestamp {
        refs[id]!.lastTime = max(refs[id]!.lastTime, clock.now())
        return refs[id]!.lastTime
    }

    mutating func moveClock() {
        let seconds = Int64.random(in: -5...30, using: &random)
        lastAction = "clock \(seconds) s"
        clock.advance(seconds: seconds)
    }

    mutating func commit(_ id: VolumeID) throws {
        var state = refs[id]!.head
        var batch = CommitBatch()
        let name = ["main", "s1", "s2"].randomElement(using: &random)!
        if state[name] == nil {
            let size = [512, 1024].randomElement(using: &random)!
            batch.createFile(name, pageSize: size)
            state[name] = RefFile(pageSize: size, pages: [])
        } else if Int.random(in: 0..<20, using: &random) == 0 {
            batch.deleteFile(name)
            state[name] = nil
        }
        if var file = state[name] {
            let zero = [UInt8](repeating: 0, count: file.pageSize)
            var explicitCount = false
            if Int.random(in: 0..<6, using: &random) == 0 {
                let count = Int.random(in: 0...6, using: &random)
                batch.setPageCount(name, UInt32(count))
                explicitCount = true
                file.pages =
                    Array(file.pages.prefix(count))
                    + Array(repeating: zero, count: max(0, count - file.pages.count))
            }
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let number = Int.random(in: 1...min(file.pages.count + 1, 8), using: &random)
                if number > file.pages.count {
                    file.pages += Array(repeating: zero, count: number - file.pages.count)
                    if explicitCount { batch.setPageCount(name, UInt32(file.pages.count)) }
                }
                var bytes = file.pages[number - 1]
                for _ in 0..<Int.random(in: 1...12, using: &random) {
                    bytes[Int.random(in: 0..<file.pageSize, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                file.pages[number - 1] = bytes
                batch.write(name, page: PageNumber(UInt32(number)), bytes: bytes)
            }
            state[name] = file
        }
        lastAction = "commit to \(id)"
        let info = try store.commit(batch, to: id)
        let time = observe(id)
        var ref = refs[id]!
        #expect(info.time == time)
        ref.events.append(.init(time: time, state: state))
        refs[id] = ref
        try record(state, digest: info.digest)
    }

    /// A time around the volume's life: sometimes before its window, sometimes in the future.
    mutating func someTime(_ ref: RefVolume) -> Timestamp {
        let now = ref.lastTime
        let span = max(1, now.microseconds - ref.createdAt.microseconds)
        let offset = Int64.random(in: -span / 4...(span + span / 8), using: &random)
        return ref.createdAt.adding(microseconds: offset)
    }

    mutating func backtrack(_ id: VolumeID) throws {
        let now = observe(id)
        var ref = refs[id]!
        let time = someTime(ref)
        lastAction = "backtrack \(id) to \(time)"
        let expected = ref.resolve(time, now: now, backtrack: true)
        guard let (_, state) = attempt(expected, { () throws(PageStoreError) in try store.backtrack(id, to: time) })
        else { return }
        ref.events.append(.init(time: now, state: state))
        refs[id] = ref
    }

    /// Runs an operation the reference expects to give `expected`; returns its result and the expected state
    /// when both succeed, and records an issue when they disagree.
    func attempt<T>(_ expected: Result<RefState, PageStoreError>, _ operation: () throws(PageStoreError) -> T)
        -> (T, RefState)?
    {
        do {
            let result = try operation()
            guard case .success(let state) = expected else {
                Issue.record("\(lastAction) succeeded; expected \(describe(expected))")
                return nil
            }
            return (result, state)
        } catch {
            expectSameFailure(error, expected)
            return nil
        }
    }

    mutating func restore(_ id: VolumeID) throws {
        guard ids.count < 6 else { return }
        let now = observe(id)
        let ref = refs[id]!
        let time: Timestamp? = Bool.random(using: &random) ? nil : someTime(ref)
        let mode: RestoreMode = Bool.random(using: &random) ? .copyOnWrite : .fullCopy
        let window = Int64.random(in: 0...150, using: &random)
        lastAction = "restore \(id) at \(time.map(String.init(describing:)) ?? "head") \(mode)"
        let expected = time.map { ref.resolve($0, now: now, backtrack: false) } ?? .success(ref.head)
        let retention = RetentionSettings(windowSeconds: window)
        guard
            let (new, state) = attempt(
                expected,
                { () throws(PageStoreError) in try store.restore(id, to: time, mode: mode, retention: retention) })
        else { return }
        addVolume(new, window: window, state: state, createdAt: now)
    }

    mutating func openView(_ id: VolumeID) throws {
        let now = observe(id)
        let ref = refs[id]!
        let time = someTime(ref)
        lastAction = "read view of \(id) at \(time)"
        let expected = ref.resolve(time, now: now, backtrack: false)
        guard
            let (view, state) = attempt(expected, { () throws(PageStoreError) in try store.readView(of: id, at: time) })
        else { return }
        views.append((view, state))
    }

    mutating func closeView() {
        guard !views.isEmpty else { return }
        lastAction = "close a read view"
        views.remove(at: Int.random(in: 0..<views.count, using: &random))
    }

    mutating func changeWindow(_ id: VolumeID) throws {
        let window: Int64 = [0, 30, 120, 300].randomElement(using: &random)!
        lastAction = "window of \(id) to \(window)"
        try store.setRetention(RetentionSettings(windowSeconds: window), of: id)
        let now = observe(id)
        var ref = refs[id]!
        let floor = ref.earliest(now: now)
        ref.floor = max(ref.floor ?? floor, floor)
        ref.window = window
        refs[id] = ref
    }

    mutating func delete(_ id: VolumeID) throws {
        guard ids.count > 1, !views.contains(where: { $0.0.volume == id }) else { return }
        lastAction = "delete \(id)"
        try store.deleteVolume(id)
        ids.removeAll { $0 == id }
        refs[id] = nil
    }

    func describe(_ expected: Result<RefState, PageStoreError>) -> String {
        switch expected {
        case .success: "success"
        case .failure(let error): "\(error)"
        }
    }

    func expectSameFailure(_ error: PageStoreError, _ expected: Result<RefState, PageStoreError>) {
        switch (error, expected) {
        case (.backtrackDisabled, .failure(.backtrackDisabled)): return
        case (.timeInFuture, .failure(.timeInFuture)),
            (.timeBeforeEarliestBacktrack, .failure(.timeBeforeEarliestBacktrack)):
            guard case .failure(let want) = expected, want == error else {
                Issue.record("got \(error), expected \(describe(expected))")
                return
            }
        default: Issue.record("got \(error), expected \(describe(expected))")
        }
    }

    /// Equal states must have equal digests, and different states different ones.
    mutating func record(_ state: RefState, digest: UInt64) throws {
        if let known = digests[state], known != digest { Issue.record("one state, two digests") }
        digests[state] = digest
    }

    mutating func check() throws -> String? {
        if let violation = store.invariantViolation() { return violation }
        var seen: [UInt64: RefState] = [:]
        for id in ids {
            let want = refs[id]!.head
            let files = try store.files(of: id)
            guard files.keys.sorted() == want.keys.sorted() else { return "\(id) files \(files.keys.sorted())" }
            for (name, file) in want {
                guard files[name] == FileShape(pageSize: file.pageSize, pageCount: UInt32(file.pages.count)) else {
                    return "\(id) \(name) shape \(String(describing: files[name]))"
                }
                if try store.pages(of: name, in: id) != file.pages { return "\(id) \(name) pages differ" }
            }
            let digest = try store.digest(of: id)
            try record(want, digest: digest)
            if let other = seen[digest], other != want { return "two different states share digest \(digest)" }
            seen[digest] = want
        }
        for (view, want) in views {
            guard view.files().keys.sorted() == want.keys.sorted() else { return "read view files differ" }
            for (name, file) in want where try view.pages(of: name) != file.pages {
                return "read view of \(view.volume) at \(view.state.time): \(name) pages differ"
            }
            try record(want, digest: view.digest)
        }
        return nil
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
