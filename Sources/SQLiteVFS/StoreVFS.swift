import CSQLite
import PageStore
import Synchronization

/// A SQLite VFS whose database files are files of a `PageStore` volume.
///
/// Every committed SQLite transaction becomes exactly one page-store commit: writes stay pending in the writing
/// connection's handle until `SQLITE_FCNTL_COMMIT_PHASETWO` (the only reliable commit point, see
/// sqlite-vfs-findings.md §3), and are dropped when the writer unlocks below RESERVED without committing (a
/// rollback). Connections of one process follow SQLite's shared/reserved/pending/exclusive protocol through one
/// `SharedFile` per database. A connection opened on a registered `ReadView` (URI parameter `view`) reads that
/// state, immutably, and never blocks or is blocked by writers. Journals and temp files live in memory; use
/// `journal_mode=MEMORY` (`SQLiteConnection` does).
///
/// What it does not do: WAL (no shared memory), memory-mapped I/O, or atomicity across two database files in one
/// transaction (each file commits on its own).
///
/// Each `StoreVFS` registers its own SQLite VFS, named `backtrack-N`, so that SQLite's clock (`CURRENT_TIMESTAMP`,
/// `datetime('now')`) is the store's `WallClock`. Paths are `/<volume>/<file>`; `uri(volume:file:)` builds them.
/// Keep the `StoreVFS` alive while connections use it (`SQLiteConnection` holds it).
public final class StoreVFS: Sendable {
    public let store: PageStore
    /// The SQLite VFS name, unique in the process.
    public let name: String
    /// `nonisolated(unsafe)`: written once in `init` and handed to SQLite, which only reads it.
    nonisolated(unsafe) let vfs: UnsafeMutablePointer<sqlite3_vfs>
    let sharedFiles = Mutex<[SharedFile.Key: SharedFile]>([:])
    let views = Mutex<[UInt64: ReadView]>([:])
    let memoryFiles = NamedMemoryFiles()
    let counters = Mutex<(nextView: UInt64, random: SplitMix64)>((1, SplitMix64(seed: 0x5EED)))

    private static let nextID = Atomic<Int>(1)

    public init(store: PageStore) {
        self.store = store
        let id = Self.nextID.add(1, ordering: .relaxed).oldValue
        name = "backtrack-\(id)"
        vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: VFSMethods.template(name: strdup(name)))
        vfs.pointee.pAppData = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_vfs_register(vfs, 0)
    }

    deinit {
        sqlite3_vfs_unregister(vfs)
        free(UnsafeMutableRawPointer(mutating: vfs.pointee.zName))
        vfs.deallocate()
    }

    /// The URI that opens `file` of `volume` through this VFS, at its head or in a registered read view.
    public func uri(volume: VolumeID, file: String, view: ViewToken? = nil) -> String {
        var uri = "file:/\(volume.rawValue)/\(Self.percentEncoded(file))?vfs=\(name)"
        if let view { uri += "&view=\(view.rawValue)&immutable=1" }
        return uri
    }

    /// Makes a read view openable by URI until `unregister` is called.
    public func register(_ view: ReadView) -> ViewToken {
        let token = counters.withLock { counters in
            defer { counters.nextView += 1 }
            return ViewToken(rawValue: counters.nextView)
        }
        views.withLock { $0[token.rawValue] = view }
        return token
    }

    public func unregister(_ token: ViewToken) {
        _ = views.withLock { $0.removeValue(forKey: token.rawValue) }
    }

    func view(_ token: UInt64) -> ReadView? { views.withLock { $0[token] } }

    /// The one shared lock and counter state of a database file, made on first use.
    func sharedFile(volume: VolumeID, file: String) -> SharedFile {
        let key = SharedFile.Key(volume: volume, file: file)
        return sharedFiles.withLock { files in
            if let existing = files[key] { return existing }
            let created = SharedFile(initialCounter: Self.changeCounter(store, volume, file))
            files[key] = created
            return created
        }
    }

    /// Deterministic bytes for SQLite's randomness: core modules take no entropy from the system (STYLE.md §4).
    func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        counters.withLock { counters in
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: counters.random.next()) }
        }
    }

    private static func changeCounter(_ store: PageStore, _ volume: VolumeID, _ file: String) -> UInt32 {
        guard let shape = try? store.shape(of: file, in: volume), shape.pageCount > 0,
            let first = try? store.readPage(PageNumber(1), of: file, in: volume)
        else { return 0 }
        return first.withUnsafeBytes(SharedFile.counter(in:))
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

/// Names a read view registered with a `StoreVFS`.
public struct ViewToken: Hashable, Sendable {
    public var rawValue: UInt64
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
