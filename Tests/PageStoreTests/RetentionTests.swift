import PageStore
import Testing

@Suite("Retention")
struct RetentionTests {
    func churn(_ store: PageStore, _ clock: ManualClock, _ volume: VolumeID, commits: Int, pages: UInt32 = 8) throws {
        for round in 0..<commits {
            clock.advance(seconds: 1)
            try store.commit(to: volume) { batch in
                if round == 0, (try? store.files(of: volume)["a.db"]) == nil {
                    batch.createFile("a.db", pageSize: 4096)
                }
                for p in 1...pages {
                    var bytes = page(UInt8(p), marker: UInt32(round))
                    bytes[200 + round % 50] = UInt8(truncatingIfNeeded: round)
                    batch.write("a.db", page: PageNumber(p), bytes: bytes)
                }
            }
        }
    }

    @Test func historyOutsideTheWindowIsReclaimed() throws {
        let (store, clock, volume) = try makeStore(window: 100)
        try churn(store, clock, volume, commits: 300)
        store.sweep()
        let report = try store.retention(of: volume)
        #expect(report.targetWindowSeconds == 100 && report.actualWindowSeconds == 100)
        #expect(report.earliestBacktrackTime == clock.now().adding(seconds: -100))
        #expect((99...101).contains(report.changeRecords))
        #expect(report.liveBytes == 8 * 4096)

        clock.advance(seconds: 200)
        store.sweep()
        let after = try store.retention(of: volume)
        #expect(after.changeRecords == 0)
        let footprint = store.footprint()
        #expect(footprint.historyRecordBytes == 0 && footprint.historyAllocatedBytes == 0, "memory really returns")
        #expect(footprint.indexBytes < 2048, "trimmed wall-clock history gives its buffers back")
        #expect(try store.pages(of: "a.db", in: volume).count == 8)
        #expect(store.invariantViolation() == nil)
    }

    @Test func clonesReadViewsAndTheirBranchPointsPinHistory() throws {
        let (store, clock, volume) = try makeStore(window: 10)
        try churn(store, clock, volume, commits: 5)
        let pinned = try store.readView(of: volume)
        let expected = try pinned.pages(of: "a.db")
        let clone = try store.clone(volume, retention: .disabled)
        try churn(store, clock, volume, commits: 50)
        clock.advance(seconds: 100)
        store.sweep()
        #expect(try pinned.pages(of: "a.db") == expected)
        #expect(try store.pages(of: "a.db", in: clone) == expected)
        #expect(throws: PageStoreError.historyPinned(volume, readViews: 1)) { try store.deleteVolume(volume) }
        _ = consume pinned
        try store.deleteVolume(volume)
        store.sweep()
        #expect(try store.pages(of: "a.db", in: clone) == expected, "the clone outlives its source")
        #expect(store.invariantViolation() == nil)
    }

    @Test func aByteBudgetShrinksTheActualWindow() throws {
        let clock = ManualClock()
        let store = PageStore(clock: clock)
        let volume = try store.createVolume(
            retention: RetentionSettings(windowSeconds: 10_000, historyBytesMax: 20_000))
        try churn(store, clock, volume, commits: 400)
        store.sweep()
        let report = try store.retention(of: volume)
        #expect(report.targetWindowSeconds == 10_000)
        #expect(report.actualWindowSeconds < 400)
        #expect(report.historyBytes <= 40_000)
    }

    @Test func aZeroWindowKeepsOnlyTheHead() throws {
        let (store, clock, volume) = try makeStore(window: 0)
        try churn(store, clock, volume, commits: 20)
        store.sweep()
        #expect(try store.retention(of: volume).earliestBacktrackTime == nil)
        #expect(store.footprint().historyRecordBytes == 0)
        #expect(try store.readPage(PageNumber(3), of: "a.db", in: volume)[0] == 19)
    }

    @Test func lateDeltasAreRebuiltWhenTheirBaseIsDropped() throws {
        // Back to the start, write there, then let the old future fall out of the window while the
        // states before it stay reachable: the kept version's delta base is gone and must be rebuilt.
        let (store, clock, volume) = try makeStore(window: 50)
        try churn(store, clock, volume, commits: 3)
        let early = try store.head(of: volume)
        let expected = try store.pages(of: "a.db", in: volume)
        try churn(store, clock, volume, commits: 20)
        clock.advance(seconds: 1)
        try store.backtrack(volume, to: early.time)
        clock.advance(seconds: 40)
        store.sweep()
        #expect(try store.pages(of: "a.db", in: volume) == expected)
        #expect(store.invariantViolation() == nil)
    }
}
