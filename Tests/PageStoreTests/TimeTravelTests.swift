import PageStore
import Testing

@Suite("Backtrack, forward, clones and restores")
struct TimeTravelTests {
    /// Commits `value` to page 1 of "a.db" one second after the previous commit; returns the commit.
    @discardableResult
    func write(_ value: UInt8, _ store: PageStore, _ clock: ManualClock, _ volume: VolumeID) throws -> CommitInfo {
        clock.advance(seconds: 1)
        return try store.commit(to: volume) { batch in
            if (try? store.files(of: volume)["a.db"]) == nil { batch.createFile("a.db", pageSize: 4096) }
            batch.write("a.db", page: PageNumber(1), bytes: page(value))
        }
    }

    func value(_ store: PageStore, _ volume: VolumeID) throws -> UInt8 {
        try store.readPage(PageNumber(1), of: "a.db", in: volume)[100]
    }

    @Test func timeResolvesToTheLastCommitAtOrBeforeIt() throws {
        let (store, clock, volume) = try makeStore()
        let commits = try (1...5).map { try write(UInt8($0), store, clock, volume) }
        #expect(try store.state(of: volume, at: commits[2].time).position == commits[2].position)
        #expect(try store.state(of: volume, at: commits[2].time.adding(microseconds: 999_999)).time == commits[2].time)
        #expect(try store.state(of: volume, at: commits[0].time.adding(microseconds: -1)).digest == 0)
    }

    @Test func backAndForthLandsOnTheStateTheVolumeHadAtThatTime() throws {
        let (store, clock, volume) = try makeStore()
        let c = try (1...4).map { try write(UInt8($0), store, clock, volume) }  // values 1...4
        clock.advance(seconds: 1)

        let back = try store.backtrack(volume, to: c[1].time.adding(microseconds: 500_000))
        #expect(back.time == c[1].time, "the resolved time is the commit's")
        #expect(try value(store, volume) == 2)
        clock.advance(seconds: 1)
        try store.backtrack(volume, to: c[3].time)  // forward again
        #expect(try value(store, volume) == 4)
        clock.advance(seconds: 1)
        try store.backtrack(volume, to: c[0].time)  // back again
        #expect(try value(store, volume) == 1)

        // New writes after a backtrack start a new branch; the old future stays reachable by time.
        let branched = try write(9, store, clock, volume)
        #expect(branched.position.branch != c[3].position.branch)
        let afterBranch = clock.now()
        clock.advance(seconds: 1)
        try store.backtrack(volume, to: c[3].time)
        #expect(try value(store, volume) == 4)
        clock.advance(seconds: 1)
        try store.backtrack(volume, to: afterBranch)
        #expect(try value(store, volume) == 9)
        #expect(try store.digest(of: volume) == branched.digest)
        #expect(store.invariantViolation() == nil)
    }

    @Test func backtrackRefusesTimesOutsideTheWindow() throws {
        let (store, clock, volume) = try makeStore(window: 60)
        let first = try write(1, store, clock, volume)
        clock.advance(seconds: 120)
        let now = clock.now()
        let earliest = now.adding(seconds: -60)
        #expect(throws: PageStoreError.timeBeforeEarliestBacktrack(requested: first.time, earliest: earliest)) {
            try store.backtrack(volume, to: first.time)
        }
        #expect(throws: PageStoreError.timeInFuture(requested: now.adding(seconds: 5), now: now)) {
            try store.backtrack(volume, to: now.adding(seconds: 5))
        }
        let disabled = try store.createVolume(retention: .disabled)
        #expect(throws: PageStoreError.backtrackDisabled(disabled)) { try store.backtrack(disabled, to: now) }
    }

    @Test func aCloneSharesEverythingAndThenDiverges() throws {
        let (store, clock, source) = try makeStore()
        for value in 1...3 { try write(UInt8(value), store, clock, source) }
        let recordsBefore = store.footprint().historyRecordBytes
        clock.advance(seconds: 10)
        let clone = try store.clone(source, retention: RetentionSettings(windowSeconds: 3600))
        #expect(store.footprint().historyRecordBytes == recordsBefore, "a clone copies no page")
        #expect(try store.digest(of: clone) == store.digest(of: source))

        try write(7, store, clock, clone)
        try write(8, store, clock, source)
        #expect(try value(store, clone) == 7)
        #expect(try value(store, source) == 8)

        let grandchild = try store.clone(clone, retention: RetentionSettings(windowSeconds: 3600))
        #expect(try value(store, grandchild) == 7)
        #expect(throws: PageStoreError.self) {
            try store.backtrack(clone, to: clock.now().adding(seconds: -60))  // before the clone existed
        }
    }

    @Test func restoresCopyOnWriteOrCopyEveryPage() throws {
        let (store, clock, source) = try makeStore()
        let c = try (1...3).map { try write(UInt8($0), store, clock, source) }
        clock.advance(seconds: 1)
        let cow = try store.restore(source, to: c[1].time, mode: .copyOnWrite, retention: .disabled)
        let full = try store.restore(source, to: c[1].time, mode: .fullCopy, retention: .disabled)
        #expect(try value(store, cow) == 2)
        #expect(try value(store, full) == 2)
        #expect(try store.digest(of: full) == c[1].digest, "equal states have equal digests")
        try store.deleteVolume(source)
        store.sweep()
        #expect(try value(store, full) == 2)
        #expect(try value(store, cow) == 2, "a deleted source's branch lives on while a clone reads through it")
        try store.deleteVolume(cow)
        store.sweep()
        #expect(store.footprint().branches == 1, "only the full copy's own branch is left")
        #expect(try value(store, full) == 2)
        #expect(store.invariantViolation() == nil)
    }

    @Test func digestsDependOnlyOnTheState() throws {
        let clock = ManualClock()
        let store = PageStore(clock: clock)
        let a = try store.createVolume(retention: .disabled)
        let b = try store.createVolume(retention: .disabled)
        try store.commit(to: a) { batch in
            batch.createFile("x", pageSize: 512)
            batch.write("x", page: PageNumber(1), bytes: page(1, size: 512))
            batch.write("x", page: PageNumber(2), bytes: page(2, size: 512))
        }
        try store.commit(to: b) { batch in
            batch.createFile("x", pageSize: 512)
            batch.write("x", page: PageNumber(2), bytes: page(5, size: 512))
        }
        #expect(try store.digest(of: a) != store.digest(of: b))
        try store.commit(to: b) { batch in
            batch.write("x", page: PageNumber(1), bytes: page(1, size: 512))
            batch.write("x", page: PageNumber(2), bytes: page(2, size: 512))
        }
        #expect(try store.digest(of: a) == store.digest(of: b))
    }
}
