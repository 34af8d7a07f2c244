import PageStore
import SQLiteVFS

/// The MySQL schemas of one volume: each schema is one SQLite database file of the volume, so a backtrack moves
/// all of them together.
public final class SQLVolume: Sendable {
    public let vfs: StoreVFS
    public let volume: VolumeID

    public init(vfs: StoreVFS, volume: VolumeID) {
        self.vfs = vfs
        self.volume = volume
    }

    public var store: PageStore { vfs.store }

    /// The schemas at the volume's head, sorted.
    public func databases() throws(MySQLError) -> [String] {
        do {
            return try store.files(of: volume).keys.sorted()
        } catch {
            throw MySQLError.unknown("\(error)")
        }
    }

    public func databaseExists(_ name: String) -> Bool {
        ((try? store.shape(of: name, in: volume)) ?? nil) != nil
    }

    /// A new session, optionally in `database` (1049 if it does not exist).
    public func session(database: String? = nil) throws(MySQLError) -> Session {
        try Session(volume: self, database: database)
    }

    /// Creates an empty schema (1007 if it exists).
    public func createDatabase(_ name: String) throws(MySQLError) {
        try Self.validate(name)
        guard !databaseExists(name) else { throw MySQLError.databaseExists(name) }
        var batch = CommitBatch()
        batch.createFile(name, pageSize: 4096)
        do { try store.commit(batch, to: volume) } catch { throw MySQLError.unknown("\(error)") }
    }

    /// Deletes a schema and its tables (1008 if it does not exist).
    public func dropDatabase(_ name: String) throws(MySQLError) {
        guard databaseExists(name) else { throw MySQLError.cannotDropDatabase(name) }
        var batch = CommitBatch()
        batch.deleteFile(name)
        do { try store.commit(batch, to: volume) } catch { throw MySQLError.unknown("\(error)") }
    }

    static func validate(_ name: String) throws(MySQLError) {
        guard !name.isEmpty, name.count <= 64, !name.contains("/"), !name.contains("\0"),
            name.lowercased() != "information_schema"
        else {
            throw MySQLError(code: 1102, sqlState: "42000", message: "Incorrect database name '\(name)'")
        }
    }
}
