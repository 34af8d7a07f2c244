import Lab
import Synchronization
import Testing

/// `backtrack lab` at a small size: every workshop expectation holds, and the output shows the steps.
@Test func labPassesAtASmallSize() throws {
    let output = Mutex<[String]>([])
    let lab = Lab(options: Lab.Options(tableSize: 300, seed: 7, transactions: 40)) { line in
        output.withLock { $0.append(line) }
    }
    let failures = lab.run()
    #expect(failures.isEmpty, "\(failures)")
    let text = output.withLock { $0.joined(separator: "\n") }
    #expect(text.contains("aws rds backtrack-db-cluster --db-cluster-identifier labstack-cluster-clone"))
    #expect(text.contains("✓ the clone's checksum equals the source's"))
    #expect(text.contains("✓ restore-and-replay and backtrack reach the same checksum"))
    #expect(text.contains("Timeline (simulated UTC)"))
    #expect(!text.contains("✗"))
}
