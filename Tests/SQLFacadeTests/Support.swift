import Foundation
import PageStore
import SQLFacade
import SQLiteVFS

/// A volume with one schema, `mylab`, and a session in it, on a manual clock.
struct Lab {
    let clock = ManualClock(Timestamp(seconds: 1_800_000_000))
    let store: PageStore
    let vfs: StoreVFS
    let volume: SQLVolume
    let session: Session

    init(window: Int64 = 86_400, database: String = "mylab") throws {
        store = PageStore(clock: clock)
        vfs = StoreVFS(store: store)
        let id = try store.createVolume(
            retention: RetentionSettings(windowSeconds: window, restoreWindowSeconds: window))
        volume = SQLVolume(vfs: vfs, volume: id)
        try volume.createDatabase(database)
        session = try volume.session(database: database)
    }

    /// Runs statements, each its own `execute`.
    @discardableResult
    func run(_ statements: String...) throws -> QueryResult {
        var last = QueryResult()
        for sql in statements { last = try session.execute(sql) }
        return last
    }

    func rows(_ sql: String) throws -> [[String?]] { try session.execute(sql).textRows }

    func tick(_ seconds: Int64 = 1) -> Timestamp {
        clock.advance(seconds: seconds)
        return clock.now()
    }
}

/// MariaDB's CHECKSUM TABLE values for tables whose DDL and rows are given (Tests/Scripts/checksum_vectors.py).
struct ChecksumVector: Decodable {
    var name: String
    var ddl: String
    var inserts: [String]
    var checksum: UInt32?

    static func all() throws -> [ChecksumVector] {
        struct File: Decodable { var vectors: [ChecksumVector] }
        let url = Bundle.module.url(forResource: "checksum-vectors", withExtension: "json", subdirectory: "Resources")!
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }
}
