import CSQLite
import Synchronization

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
            data = vfs.memoryFiles.withLock { files in
                if let existing = files[name] { return existing }
                let created = MemoryFileData()
                files[name] = created
                return created
            }
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
        if deleteOnClose, let name { _ = vfs.memoryFiles.withLock { $0.removeValue(forKey: name) } }
    }
}
