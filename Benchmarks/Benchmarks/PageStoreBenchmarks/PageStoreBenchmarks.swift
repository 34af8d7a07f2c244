import Benchmark
import BenchmarkSupport
import PageStore

/// The page store's speed and memory targets (issue: the package and its storage engine). Every figure in
/// Docs/PERFORMANCE.md comes from one of these, run with:
///
///     swift package --package-path Benchmarks benchmark --target PageStoreBenchmarks
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], warmupIterations: 3, scalingFactor: .kilo,
        maxDuration: .seconds(3), maxIterations: 1_000)

    backtrackBenchmarks()
    cloneBenchmark()
    readBenchmarks()
    commitBenchmark()
    pageImageBenchmarks()
    memoryBenchmark()
}

/// Making a page image, as every page write does (a copy and the content hash), against the copy alone: the
/// difference is the hash.
func pageImageBenchmarks() {
    var random = SplitMix64(seed: 11)
    let page = (0..<Fixture.pageSize).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    Benchmark("Page image, copy and hash/bytes:\(Fixture.pageSize)") { benchmark in
        page.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations { blackHole(PageImage(copying: bytes)) }
        }
    }
    Benchmark("Baseline: copy into a new allocation/bytes:\(Fixture.pageSize)") { benchmark in
        page.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations { blackHole(Array(bytes)) }
        }
    }
}

/// Backtrack by time must not depend on history length or volume size: 10^3 and 10^6 commits, 1,000 and
/// 250,000 pages (1 GB at 4 KiB).
func backtrackBenchmarks() {
    for (commits, pages) in [(1_000, 1_000), (1_000, 250_000), (1_000_000, 1_000), (1_000_000, 250_000)]
        as [(Int, UInt32)]
    {
        Benchmark("Backtrack by time/commits:\(commits),pages:\(pages)") { benchmark, fixture in
            var random = SplitMix64(seed: 7)
            let targets = (0..<1024).map { _ in fixture.commitTimes[Int(random.next() % UInt64(commits))] }
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                blackHole(try! fixture.store.backtrack(fixture.volume, to: targets[index & 1023]))
            }
        } setup: {
            try Fixture.make(pages: pages, commits: commits)
        }
    }
}

/// A copy-on-write clone of a 1 GB volume: O(1), no page copied.
func cloneBenchmark() {
    Benchmark(
        "Clone (copy-on-write)/pages:250000",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxIterations: 50)
    ) { benchmark, fixture in
        let before = fixture.store.footprint().historyRecordBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! fixture.store.clone(fixture.volume, retention: .disabled))
        }
        benchmark.stopMeasurement()
        precondition(fixture.store.footprint().historyRecordBytes == before, "a clone must copy no page")
    } setup: {
        try Fixture.make(pages: 250_000, commits: 100)
    }
}

/// Head reads (including the 4 KiB copy out) and reads at an old state through a read view, on the same
/// volume: 10,000 pages after 20,000 small OLTP commits (7 pages × 32 bytes).
///
/// Copying 4 KiB from a random page of a large volume is bound by memory bandwidth, so each size also measures
/// the floor: a plain `memcpy` of a random 4 KiB block out of as many separately allocated blocks.
func readBenchmarks() {
    for pages in [1_000, 10_000, 250_000] as [UInt32] {
        Benchmark("Head page read, 4 KiB copy/pages:\(pages)") { benchmark, fixture in
            readPages(benchmark, pages: fixture.pages) { page, buffer in
                try fixture.store.readPage(page, of: Fixture.file, in: fixture.volume, into: buffer)
            }
        } setup: {
            try Fixture.make(pages: pages, commits: 0)
        }

        Benchmark("Baseline: memcpy of a random 4 KiB block/blocks:\(pages)") { benchmark, blocks in
            readPages(benchmark, pages: pages) { page, buffer in
                buffer.baseAddress!.copyMemory(from: blocks[Int(page.rawValue) - 1], byteCount: Fixture.pageSize)
            }
        } setup: {
            Blocks(
                (0..<Int(pages)).map { index in
                    let block = UnsafeMutableRawPointer.allocate(byteCount: Fixture.pageSize, alignment: 16)
                    block.initializeMemory(
                        as: UInt8.self, repeating: UInt8(truncatingIfNeeded: index), count: Fixture.pageSize)
                    return UnsafeRawPointer(block)
                })
        }
    }

    Benchmark("Head page read, 4 KiB copy/pages:10000,commits:20000") { benchmark, fixture in
        readPages(benchmark, pages: fixture.pages) { page, buffer in
            try fixture.store.readPage(page, of: Fixture.file, in: fixture.volume, into: buffer)
        }
    } setup: {
        try Fixture.make(pages: 10_000, commits: 20_000, pagesPerCommit: 7)
    }

    Benchmark("Read at an old state, 4 KiB copy/pages:10000,commits:20000") { benchmark, fixture in
        let view = try! fixture.store.readView(of: fixture.volume, at: fixture.commitTimes[10_000])
        readPages(benchmark, pages: fixture.pages) { page, buffer in
            try view.readPage(page, of: Fixture.file, into: buffer)
        }
    } setup: {
        try Fixture.make(pages: 10_000, commits: 20_000, pagesPerCommit: 7)
    }
}

/// Blocks for the memcpy baseline; never freed (the process ends after the run).
struct Blocks: @unchecked Sendable {
    let pointers: [UnsafeRawPointer]
    init(_ pointers: [UnsafeRawPointer]) { self.pointers = pointers }
    subscript(index: Int) -> UnsafeRawPointer { pointers[index] }
}

func readPages(
    _ benchmark: Benchmark, pages: UInt32,
    _ read: (PageNumber, UnsafeMutableRawBufferPointer) throws -> Void
) {
    var random = SplitMix64(seed: 11)
    let targets = (0..<4096).map { _ in PageNumber(UInt32(random.next() % UInt64(pages)) + 1) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Fixture.pageSize, alignment: 16)
    defer { buffer.deallocate() }
    benchmark.startMeasurement()
    for index in benchmark.scaledIterations {
        try! read(targets[index & 4095], buffer)
        blackHole(buffer[0])
    }
}

/// A small OLTP transaction: 7 pages, each changed in 32 bytes, on a volume whose history is already in its
/// steady state (keyframes and deltas).
func commitBenchmark() {
    Benchmark("OLTP commit, 7 pages x 32 bytes/pages:10000") { benchmark, fixture in
        let batches = oltpBatches(fixture, count: benchmark.scaledIterations.count, seed: 3)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            fixture.clock.advance(microseconds: 1000)
            blackHole(try! fixture.store.commit(batches[index], to: fixture.volume))
        }
    } setup: {
        try Fixture.make(pages: 10_000, commits: 20_000, pagesPerCommit: 7)
    }

    // History growth, averaged over 50,000 commits so that array growth steps average out. Full page images
    // would cost 7 x 4 KiB = 28.7 KB per commit.
    Benchmark(
        "History growth per OLTP commit/pages:10000,commits:50000",
        configuration: .init(
            metrics: [
                .custom("history bytes per commit (store)", useScalingFactor: false),
                .custom("heap bytes per commit", useScalingFactor: false),
            ], scalingFactor: .one, maxIterations: 1)
    ) { benchmark, fixture in
        let commits = 50_000
        var random = SplitMix64(seed: 5)
        var scratch = [UInt8](repeating: 0, count: Fixture.pageSize)
        let historyBefore = try! fixture.store.retention(of: fixture.volume).historyBytes
        let heapBefore = Heap.bytesInUse()
        for _ in 0..<commits {
            // Each batch's images become the head's and the images they replace are freed, so live bytes stay
            // flat and the heap grows by exactly what history keeps.
            let batch = oltpBatch(fixture, &random, &scratch)
            fixture.clock.advance(microseconds: 1000)
            try! fixture.store.commit(batch, to: fixture.volume)
        }
        let historyAfter = try! fixture.store.retention(of: fixture.volume).historyBytes
        let heapAfter = Heap.bytesInUse()
        benchmark.measurement(
            .custom("history bytes per commit (store)", useScalingFactor: false),
            (historyAfter - historyBefore) / commits)
        benchmark.measurement(
            .custom("heap bytes per commit", useScalingFactor: false), (heapAfter - heapBefore) / commits)
    } setup: {
        try Fixture.make(pages: 10_000, commits: 20_000, pagesPerCommit: 7)
    }
}

/// `count` OLTP batches against the fixture's head: 7 random pages, 32 random bytes each.
func oltpBatches(_ fixture: Fixture, count: Int, seed: UInt64) -> [CommitBatch] {
    var random = SplitMix64(seed: seed)
    var scratch = [UInt8](repeating: 0, count: Fixture.pageSize)
    return (0..<count).map { _ in oltpBatch(fixture, &random, &scratch) }
}

func oltpBatch(_ fixture: Fixture, _ random: inout SplitMix64, _ scratch: inout [UInt8]) -> CommitBatch {
    var batch = CommitBatch()
    for _ in 0..<7 {
        let page = PageNumber(UInt32(random.next() % UInt64(fixture.pages)) + 1)
        try! scratch.withUnsafeMutableBytes {
            try fixture.store.readPage(page, of: Fixture.file, in: fixture.volume, into: $0)
        }
        let offset = Int(random.next() % UInt64(Fixture.pageSize - 32))
        for index in offset..<(offset + 32) { scratch[index] = UInt8(truncatingIfNeeded: random.next()) }
        batch.write(Fixture.file, page: page, bytes: scratch)
    }
    return batch
}

/// After the window passes with no pins, the memory the store holds must come back to within 1.1× the live
/// state. Reports heap in use per live byte, in thousandths (1000 = exactly the live bytes).
func memoryBenchmark() {
    Benchmark(
        "Memory after the window passes/pages:10000,commits:20000",
        configuration: .init(
            metrics: [
                .custom("heap per live byte (x1000)", useScalingFactor: false),
                .custom("heap per live byte with history (x1000)", useScalingFactor: false),
                .custom("store index per live byte (x1000)", useScalingFactor: false),
            ],
            scalingFactor: .one, maxIterations: 3)
    ) { benchmark in
        let baseline = Heap.bytesInUse()
        let fixture = try! Fixture.make(pages: 10_000, commits: 20_000, pagesPerCommit: 7, windowSeconds: 60)
        let live = try! fixture.store.retention(of: fixture.volume).liveBytes
        benchmark.measurement(
            .custom("heap per live byte with history (x1000)", useScalingFactor: false),
            (Heap.bytesInUse() - baseline) * 1000 / live)
        fixture.clock.advance(seconds: 120)
        fixture.store.sweep()
        let footprint = fixture.store.footprint()
        benchmark.measurement(
            .custom("store index per live byte (x1000)", useScalingFactor: false), footprint.indexBytes * 1000 / live)
        benchmark.measurement(
            .custom("heap per live byte (x1000)", useScalingFactor: false), (Heap.bytesInUse() - baseline) * 1000 / live
        )
        blackHole(fixture)
    }
}
