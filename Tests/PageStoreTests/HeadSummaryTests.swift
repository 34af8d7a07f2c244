import PageStore
import Testing

/// What a reader may cache between transactions (the SQLite VFS does): a head's shape and header, valid while the
/// head generation stands still, and which pending pages a writer may drop as unchanged.
@Suite("Head summaries and unchanged pages")
struct HeadSummaryTests {
    @Test func theGenerationMovesWithEveryHeadChangeAndOnlyThen() throws {
        let (store, clock, volume) = try makeStore()
        try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.write("a.db", page: PageNumber(1), bytes: page(1, marker: 7))
        }
        clock.advance(seconds: 10)
        var header = [UInt8](repeating: 0xFF, count: 100)
        let before = try header.withUnsafeMutableBytes { try store.summary(of: "a.db", in: volume, header: $0) }
        #expect(before.shape == FileShape(pageSize: 4096, pageCount: 1))
        #expect(header == Array(page(1, marker: 7)[0..<100]))
        #expect(before.generation == store.headGeneration)

        _ = try store.readView(of: volume)
        _ = try store.clone(volume, retention: .disabled)
        store.sweep()
        #expect(store.headGeneration == before.generation, "reads, views, clones and sweeps leave heads alone")

        try store.commit(to: volume) { $0.write("a.db", page: PageNumber(1), bytes: page(2)) }
        let afterCommit = store.headGeneration
        #expect(afterCommit != before.generation)
        try store.backtrack(volume, to: clock.now().adding(seconds: -5))
        #expect(store.headGeneration != afterCommit, "a backtrack moves the head")
        let rewound = try header.withUnsafeMutableBytes { try store.summary(of: "a.db", in: volume, header: $0) }
        #expect(header == Array(page(1, marker: 7)[0..<100]), "the summary reads the rewound header")
        #expect(rewound.generation == store.headGeneration)

        let missing = try header.withUnsafeMutableBytes { try store.summary(of: "b.db", in: volume, header: $0) }
        #expect(missing.shape == nil && header.allSatisfy { $0 == 0 })
    }

    @Test func unchangedPagesAreThoseEqualToTheHead() throws {
        let (store, _, volume) = try makeStore()
        try store.commit(to: volume) { batch in
            batch.createFile("a.db", pageSize: 4096)
            batch.write("a.db", page: PageNumber(1), bytes: page(1))
            batch.write("a.db", page: PageNumber(2), bytes: page(2))
            batch.setPageCount("a.db", 3)
        }
        let images: [UInt32: PageImage] = [
            1: PageImage.make(page(1)),  // as stored
            2: PageImage.make(page(2, marker: 1)),  // changed in four bytes
            3: PageImage.make(page(0)),  // zeros, as a page never written reads
            4: PageImage.make(page(0)),  // past the end
        ]
        let unchanged = try store.unchangedPages(among: images, of: "a.db", in: volume)
        #expect(unchanged.sorted() == [1, 3])
        #expect(try store.unchangedPages(among: images, of: "b.db", in: volume).isEmpty)
    }
}
