import CMallocStats
import PageStore

/// Volumes with a known size and history, built the same way for every benchmark that needs one.
public struct Fixture: @unchecked Sendable {
    // @unchecked: a fixture is built in a benchmark's setup and then only read by that benchmark.
    public let store: PageStore
    public let clock: ManualClock
    public let volume: VolumeID
    public let pages: UInt32
    /// Commit times of the history, oldest first.
    public let commitTimes: [Timestamp]

    public static let file = "sbtest.db"
    public static let pageSize = 4096

    /// A volume of `pages` 4 KiB pages, then `commits` commits of `pagesPerCommit` random pages each, every page
    /// changed in `bytesPerPage` bytes at a random offset (a small OLTP transaction when 7 × a few dozen).
    public static func make(
        pages: UInt32, commits: Int, pagesPerCommit: Int = 1, bytesPerPage: Int = 32, windowSeconds: Int64 = 86_400,
        seed: UInt64 = 42
    ) throws -> Fixture {
        let clock = ManualClock()
        let store = PageStore(clock: clock)
        let volume = try store.createVolume(retention: RetentionSettings(windowSeconds: windowSeconds))
        try load(store, volume, pages: pages)
        var random = SplitMix64(seed: seed)
        var times: [Timestamp] = []
        times.reserveCapacity(commits)
        var scratch = [UInt8](repeating: 0, count: pageSize)
        for _ in 0..<commits {
            clock.advance(microseconds: 1000)
            var batch = CommitBatch()
            for _ in 0..<pagesPerCommit {
                let page = PageNumber(UInt32(random.next() % UInt64(pages)) + 1)
                try scratch.withUnsafeMutableBytes { try store.readPage(page, of: file, in: volume, into: $0) }
                let offset = Int(random.next() % UInt64(pageSize - bytesPerPage))
                for index in offset..<(offset + bytesPerPage) {
                    scratch[index] = UInt8(truncatingIfNeeded: random.next())
                }
                batch.write(file, page: page, bytes: scratch)
            }
            times.append(try store.commit(batch, to: volume).time)
        }
        return Fixture(store: store, clock: clock, volume: volume, pages: pages, commitTimes: times)
    }

    /// Writes `pages` distinct pages, 10,000 per commit.
    static func load(_ store: PageStore, _ volume: VolumeID, pages: UInt32) throws {
        var bytes = [UInt8](repeating: 0, count: pageSize)
        var next: UInt32 = 1
        var first = true
        while next <= pages {
            var batch = CommitBatch()
            if first { batch.createFile(file, pageSize: pageSize) }
            first = false
            let end = min(pages, next + 9_999)
            for page in next...end {
                for index in stride(from: 0, to: pageSize, by: 64) {
                    bytes[index] = UInt8(truncatingIfNeeded: page &+ UInt32(index))
                }
                batch.write(file, page: PageNumber(page), bytes: bytes)
            }
            try store.commit(batch, to: volume)
            next = end + 1
        }
    }
}

/// Process heap accounting, for memory benchmarks.
public enum Heap {
    /// Bytes allocated and not freed, after returning free memory to the kernel.
    public static func bytesInUse() -> Int {
        backtrack_heap_trim()
        return Int(backtrack_heap_bytes_in_use())
    }
}
