import CSQLite
import Synchronization

/// The named in-memory files of one VFS (rollback journals), by name.
///
/// SQLite asks `xAccess` whether `<db>-journal` exists at the start of every read transaction (the hot-journal
/// check), so "none exists" is answered from an atomic count, without the lock, while no named file is open:
/// always between transactions with `journal_mode=MEMORY`, and on the point-select path of every benchmark.
final class NamedMemoryFiles: Sendable {
    private let files = Mutex<[String: MemoryFileData]>([:])
    private let count = Atomic<Int>(0)

    /// The file called `name`, made empty if it does not exist.
    func open(_ name: String) -> MemoryFileData {
        files.withLock { files in
            if let existing = files[name] { return existing }
            let created = MemoryFileData()
            files[name] = created
            count.store(files.count, ordering: .releasing)
            return created
        }
    }

    func remove(_ name: String) {
        files.withLock { files in
            guard files.removeValue(forKey: name) != nil else { return }
            count.store(files.count, ordering: .releasing)
        }
    }

    func contains(_ name: UnsafePointer<CChar>) -> Bool {
        guard count.load(ordering: .acquiring) > 0 else { return false }
        let key = String(cString: name)
        return files.withLock { $0[key] != nil }
    }
}

/// The bytes of a journal or temp file. Named files are shared by name (so that `xAccess` and `xDelete` see
/// them); anonymous temp files belong to one handle.
final class MemoryFileData: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

/// A handle on an in-memory journal or temp file (statement journals, temp tables, the sorter).
final class MemoryFile {
    let data: MemoryFileData
    let name: String?
    let deleteOnClose: Bool
    let vfs: StoreVFS

    init(vfs: StoreVFS, name: String?, deleteOnClose: Bool) {
        self.vfs = vfs
        self.name = name
        self.deleteOnClose = deleteOnClose
        if let name {
            data = vfs.memoryFiles.open(name)
        } else {
            data = MemoryFileData()
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int32 {
        data.bytes.withLock { bytes in
            let available = max(0, min(buffer.count, bytes.count - offset))
            if available > 0 {
                bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: available)
                }
            }
            guard available == buffer.count else {
                UnsafeMutableRawBufferPointer(rebasing: buffer[available...])
                    .initializeMemory(as: UInt8.self, repeating: 0)
                return BACKTRACK_SQLITE_IOERR_SHORT_READ
            }
            return SQLITE_OK
        }
    }

    func write(_ source: UnsafeRawBufferPointer, at offset: Int) -> Int32 {
        data.bytes.withLock { bytes in
            let end = offset + source.count
            if bytes.count < end { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
            bytes.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
            return SQLITE_OK
        }
    }

    func truncate(to size: Int) {
        data.bytes.withLock { bytes in
            if bytes.count > size { bytes.removeSubrange(size...) }
        }
    }

    var size: Int { data.bytes.withLock { $0.count } }

    func close() {
        if deleteOnClose, let name { vfs.memoryFiles.remove(name) }
    }
}
