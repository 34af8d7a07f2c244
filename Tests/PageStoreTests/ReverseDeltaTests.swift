import Testing

@testable import PageStore

@Suite("Reverse deltas")
struct ReverseDeltaTests {
    @Test(arguments: [512, 4096, 65_536])
    func applyingTheDeltaToTheNewVersionRebuildsTheOld(pageSize: Int) {
        var random = SeededGenerator(seed: UInt64(pageSize))
        for round in 0..<200 {
            let old = (0..<pageSize).map { _ in UInt8.random(in: 0...3, using: &random) }
            var new = old
            for _ in 0..<min(round % 40, pageSize / 64) {
                let start = Int.random(in: 0..<pageSize, using: &random)
                for index in start..<min(pageSize, start + Int.random(in: 1...24, using: &random)) {
                    new[index] = UInt8.random(in: 0...255, using: &random)
                }
            }
            let limit = pageSize * 3 / 4
            let out = UnsafeMutableRawPointer.allocate(byteCount: limit, alignment: 8)
            defer { out.deallocate() }
            let size = old.withUnsafeBytes { o in
                new.withUnsafeBytes { n in ReverseDelta.encode(old: o, new: n, into: out, limitBytes: limit) }
            }
            guard let size else {
                Issue.record("a delta of a few short runs fits in 3/4 of a page")
                return
            }
            var rebuilt = new
            rebuilt.withUnsafeMutableBytes {
                ReverseDelta.apply(UnsafeRawBufferPointer(start: out, count: size), to: $0)
            }
            #expect(rebuilt == old)
            if old == new { #expect(size == 0) }
        }
    }

    @Test func aDeltaOverTheLimitIsRefused() {
        let old = [UInt8](repeating: 0, count: 4096)
        let new = [UInt8](repeating: 1, count: 4096)
        let out = UnsafeMutableRawPointer.allocate(byteCount: 3072, alignment: 8)
        defer { out.deallocate() }
        let size = old.withUnsafeBytes { o in
            new.withUnsafeBytes { n in ReverseDelta.encode(old: o, new: n, into: out, limitBytes: 3072) }
        }
        #expect(size == nil)
    }
}
