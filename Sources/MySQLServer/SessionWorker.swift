import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection's own thread for its SQLite work, as MariaDB gives each connection a thread: jobs run one at a
/// time, in order, always on the same thread, so a session waiting for a lock (under SQLite's busy timeout)
/// holds up no other session, and the session's connection and page cache stay in one core's caches.
///
/// A worker that has just finished a job polls for the next one for `busyPoll` before it sleeps: a client in a
/// loop sends its next statement within a round trip, and on the virtual machines we measure, waking a sleeping
/// thread costs about a third of that round trip (`Docs/PERFORMANCE.md`, the MySQL endpoint section). Polling
/// is bounded in time, yields the core between looks, and runs on at most one core fewer than the machine has,
/// so clients on the same machine always keep a core, and an idle connection costs nothing once its polling
/// time is up.
final class SessionWorker: @unchecked Sendable {
    /// Workers polling now, across the process.
    private static let polling = Atomic<Int>(0)
    private static let maxPolling = max(1, System.coreCount - 1)

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var sleeping = false
    /// Jobs queued and not yet taken; read without the lock while polling.
    private let queued = Atomic<Int>(0)
    private let busyPoll: TimeAmount
    private let live: LiveWorkers

    /// The system would not start a thread (`pthread_create`'s error number).
    struct StartError: Error {
        var code: Int32
    }

    /// Starts the thread. `live` counts it until the thread ends.
    init(busyPoll: TimeAmount, live: LiveWorkers) throws(StartError) {
        self.busyPoll = busyPoll
        self.live = live
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let retained = Unmanaged.passRetained(self)
        live.started()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                let worker = Unmanaged<SessionWorker>.fromOpaque(context!).takeRetainedValue()
                worker.loop()
                worker.live.ended()
                return nil
            }, retained.toOpaque())
        guard created == 0 else {
            live.ended()
            retained.release()
            throw StartError(code: created)
        }
        pthread_detach(thread)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Queues `job` to run after every job queued before it; false once the worker is stopping.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        guard !stopping else {
            pthread_mutex_unlock(mutex)
            return false
        }
        jobs.append(job)
        queued.add(1, ordering: .releasing)
        let wake = sleeping
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(condition) }
        return true
    }

    /// Takes no more jobs; the thread runs those already queued, then ends.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
    }

    private func loop() {
        while let job = next() { job() }
    }

    private func next() -> (@Sendable () -> Void)? {
        pollWhileIdle()
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while jobs.isEmpty {
            if stopping { return nil }
            sleeping = true
            pthread_cond_wait(condition, mutex)
            sleeping = false
        }
        queued.subtract(1, ordering: .relaxed)
        return jobs.removeFirst()
    }

    /// Returns when a job is queued, or after `busyPoll`, or at once when enough other workers are polling.
    private func pollWhileIdle() {
        guard busyPoll > .zero else { return }
        guard Self.polling.add(1, ordering: .relaxed).newValue <= Self.maxPolling else {
            Self.polling.subtract(1, ordering: .relaxed)
            return
        }
        defer { Self.polling.subtract(1, ordering: .relaxed) }
        let deadline = NIODeadline.now() + busyPoll
        var looks = 0
        while queued.load(ordering: .acquiring) == 0 {
            looks += 1
            // A look is a few nanoseconds; the clock and the yield are a system call's worth.
            if looks % 64 == 0 {
                if NIODeadline.now() >= deadline { return }
                sched_yield()
            }
        }
    }
}

/// Session threads that have started and not yet ended, so that a server can wait for them as it shuts down.
final class LiveWorkers: Sendable {
    private let count = Atomic<Int>(0)

    func started() { count.add(1, ordering: .relaxed) }
    func ended() { count.subtract(1, ordering: .releasing) }

    /// Waits until every thread has ended or `limit` has passed; true if they all ended.
    @discardableResult
    func waitForAll(limit: TimeAmount) -> Bool {
        let deadline = NIODeadline.now() + limit
        while count.load(ordering: .acquiring) > 0 {
            if NIODeadline.now() >= deadline { return false }
            usleep(1000)
        }
        return true
    }
}
