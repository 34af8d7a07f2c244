import PageStore
import Testing

@Suite("Volumes, files and atomic commits")
struct CommitTests {
    @Test func filesGrowAndShrinkWithTheirOwnPageSizes() throws {
        let (store, _, volume) = try makeStore()
        try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.createFile("b.db", pageSize: 1024)
            batch.write("a.db", page: PageNumber(1), bytes: page(1))
            batch.write("a.db", page: PageNumber(3), bytes: page(3))
            batch.write("b.db", page: PageNumber(1), bytes: page(9, size: 1024))
        }
        #expect(
            try store.files(of: volume) == [
                "a.db": FileShape(pageSize: 4096, pageCount: 3), "b.db": FileShape(pageSize: 1024, pageCount: 1),
            ])
        #expect(try store.readPage(PageNumber(2), of: "a.db", in: volume) == page(0), "unwritten pages read as zeros")
        #expect(try store.readPage(PageNumber(3), of: "a.db", in: volume) == page(3))

        try store.commit(to: volume) { $0.setPageCount("a.db", 1) }
        #expect(try store.files(of: volume)["a.db"]?.pageCount == 1)
        try store.commit(to: volume) { $0.setPageCount("a.db", 3) }
        #expect(
            try store.readPage(PageNumber(3), of: "a.db", in: volume) == page(0), "a regrown file shows no stale page")

        try store.commit(to: volume) { $0.deleteFile("b.db") }
        #expect(try store.files(of: volume).keys.sorted() == ["a.db"])
        #expect(store.invariantViolation() == nil)
    }

    @Test func preparedImagesAreHandedOverByTheDictionaryAndLaterWritesWin() throws {
        let (store, _, volume) = try makeStore()
        try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.write("a.db", page: PageNumber(2), bytes: page(20))
            batch.write("a.db", pages: [1: PageImage.make(page(1)), 2: PageImage.make(page(2))])
            batch.setPageCount("a.db", 3)
        }
        #expect(try store.files(of: volume)["a.db"] == FileShape(pageSize: 4096, pageCount: 3))
        #expect(try store.readPage(PageNumber(2), of: "a.db", in: volume) == page(2), "the dictionary came later")

        try store.commit(to: volume) { batch in
            batch.write("a.db", pages: [3: PageImage.make(page(3))])
            batch.write("a.db", page: PageNumber(3), bytes: page(30))
            batch.createFile("b.db", pageSize: 1024)
            batch.write("b.db", pages: [1: PageImage.make(page(9, size: 1024))])
        }
        #expect(try store.readPage(PageNumber(3), of: "a.db", in: volume) == page(30), "the single write came later")
        #expect(try store.readPage(PageNumber(1), of: "b.db", in: volume) == page(9, size: 1024))
        #expect(try store.readPage(PageNumber(1), of: "a.db", in: volume) == page(1))
        #expect(store.invariantViolation() == nil)
    }

    @Test func aFailingBatchChangesNothing() throws {
        let (store, _, volume) = try makeStore()
        let first = try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.write("a.db", page: PageNumber(1), bytes: page(1))
        }
        var bad = CommitBatch()
        bad.write("a.db", page: PageNumber(1), bytes: page(2))
        bad.write("a.db", page: PageNumber(2), bytes: page(2, size: 512))
        #expect(throws: PageStoreError.pageSizeMismatch(file: "a.db", expected: 4096, actual: 512)) {
            try store.commit(bad, to: volume)
        }
        #expect(try store.readPage(PageNumber(1), of: "a.db", in: volume) == page(1))
        #expect(try store.head(of: volume).position == first.position)
        let next = try store.commit(to: volume) { $0.write("a.db", page: PageNumber(1), bytes: page(3)) }
        #expect(next.lsn == first.lsn.next, "a refused batch takes no LSN")
    }

    @Test func callerMistakesAreTypedErrors() throws {
        let (store, _, volume) = try makeStore()
        try store.commit(to: volume) { $0.createFile("a.db", pageSize: 4096) }
        #expect(throws: PageStoreError.unknownFile("nope")) {
            try store.commit(to: volume) { $0.write("nope", page: PageNumber(1), bytes: page(1)) }
        }
        #expect(throws: PageStoreError.fileExists("a.db")) {
            try store.commit(to: volume) { $0.createFile("a.db", pageSize: 4096) }
        }
        #expect(throws: PageStoreError.invalidPageSize(3000)) {
            try store.commit(to: volume) { $0.createFile("c.db", pageSize: 3000) }
        }
        #expect(throws: PageStoreError.pageOutOfRange(file: "a.db", page: PageNumber(0), pageCount: 0)) {
            try store.commit(to: volume) { $0.write("a.db", page: PageNumber(0), bytes: page(1)) }
        }
        #expect(throws: PageStoreError.pageOutOfRange(file: "a.db", page: PageNumber(5), pageCount: 0)) {
            _ = try store.readPage(PageNumber(5), of: "a.db", in: volume)
        }
        #expect(throws: PageStoreError.unknownVolume(VolumeID(rawValue: 99))) {
            _ = try store.files(of: VolumeID(rawValue: 99))
        }
        #expect(throws: PageStoreError.invalidWindow(-1)) {
            _ = try store.createVolume(retention: RetentionSettings(windowSeconds: -1))
        }
        #expect(
            PageStoreError.timeInFuture(requested: Timestamp(seconds: 2), now: Timestamp(seconds: 1)).description
                == "1970-01-01T00:00:02.000000Z is in the future (now is 1970-01-01T00:00:01.000000Z)")
    }

    @Test func lsnsIncreaseAcrossTheStoreAndTimestampsNeverGoBack() throws {
        let (store, clock, a) = try makeStore()
        let b = try store.createVolume(retention: RetentionSettings(windowSeconds: 60))
        var lsns: [LSN] = []
        var times: [Timestamp] = []
        for (index, volume) in [a, b, a, b].enumerated() {
            let info = try store.commit(to: volume) { $0.createFile("f\(index)", pageSize: 512) }
            lsns.append(info.lsn)
            times.append(info.time)
            clock.advance(seconds: index == 1 ? -30 : 1)  // the clock goes back once
        }
        #expect(lsns == lsns.sorted() && Set(lsns).count == 4)
        let aTimes = [times[0], times[2]]
        #expect(aTimes[1] >= aTimes[0])
        #expect(times[3] >= times[1], "a clock that goes back is clamped within the volume")
    }

    @Test func readViewsKeepTheirStateWhileCommitsContinue() throws {
        let (store, clock, volume) = try makeStore()
        try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.write("a.db", page: PageNumber(1), bytes: page(1))
        }
        let view = try store.readView(of: volume)
        for round in 2...100 {
            clock.advance(seconds: 1)
            try store.commit(to: volume) {
                $0.write("a.db", page: PageNumber(UInt32(round % 3 + 1)), bytes: page(UInt8(round)))
            }
        }
        #expect(try view.pages(of: "a.db") == [page(1)])
        #expect(view.digest != (try store.digest(of: volume)))
    }
}
