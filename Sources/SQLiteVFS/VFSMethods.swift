import CSQLite
import PageStore

#if canImport(Glibc)
    import Glibc
#endif

/// The C function tables SQLite calls. Each function fulfils the contract of the `sqlite3_vfs` or
/// `sqlite3_io_methods` member it fills (see sqlite3.h), and does nothing but find the Swift object and call it.
///
/// SQLite keeps pointers to the io_methods tables for the life of the process, so they are allocated once and
/// never freed.
enum VFSMethods {
    static func template(name: UnsafeMutablePointer<CChar>) -> sqlite3_vfs {
        sqlite3_vfs(
            iVersion: 2, szOsFile: Int32(MemoryLayout<BacktrackFile>.stride), mxPathname: 1024, pNext: nil,
            zName: name, pAppData: nil, xOpen: vfsOpen, xDelete: vfsDelete, xAccess: vfsAccess,
            xFullPathname: vfsFullPathname, xDlOpen: nil, xDlError: nil, xDlSym: nil, xDlClose: nil,
            xRandomness: vfsRandomness, xSleep: vfsSleep, xCurrentTime: vfsCurrentTime,
            xGetLastError: { _, _, _ in 0 }, xCurrentTimeInt64: vfsCurrentTimeInt64, xSetSystemCall: nil,
            xGetSystemCall: nil, xNextSystemCall: nil)
    }

    /// `nonisolated(unsafe)`: initialised once, then only read by SQLite.
    nonisolated(unsafe) static let mainMethods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(
            to: sqlite3_io_methods(
                iVersion: 3, xClose: mainClose, xRead: mainRead, xWrite: mainWrite, xTruncate: mainTruncate,
                xSync: { _, _ in SQLITE_OK }, xFileSize: mainFileSize, xLock: mainLock, xUnlock: mainUnlock,
                xCheckReservedLock: mainCheckReserved, xFileControl: mainFileControl, xSectorSize: { _ in 4096 },
                xDeviceCharacteristics: mainCharacteristics, xShmMap: nil, xShmLock: nil, xShmBarrier: nil,
                xShmUnmap: nil, xFetch: mainFetch, xUnfetch: mainUnfetch))
        return methods
    }()

    /// `nonisolated(unsafe)`: initialised once, then only read by SQLite.
    nonisolated(unsafe) static let memoryMethods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(
            to: sqlite3_io_methods(
                iVersion: 1, xClose: memoryClose, xRead: memoryRead, xWrite: memoryWrite,
                xTruncate: memoryTruncate, xSync: { _, _ in SQLITE_OK }, xFileSize: memoryFileSize,
                xLock: { _, _ in SQLITE_OK }, xUnlock: { _, _ in SQLITE_OK },
                xCheckReservedLock: { _, out in
                    out?.pointee = 0
                    return SQLITE_OK
                }, xFileControl: { _, _, _ in SQLITE_NOTFOUND }, xSectorSize: { _ in 4096 },
                xDeviceCharacteristics: { _ in
                    SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL
                }, xShmMap: nil, xShmLock: nil, xShmBarrier: nil, xShmUnmap: nil, xFetch: nil, xUnfetch: nil))
        return methods
    }()
}

// MARK: - Finding the Swift objects

/// The VFS object, retained: for xOpen, which keeps it in the file it opens.
@inline(__always) private func storeVFS(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?) -> StoreVFS {
    Unmanaged<StoreVFS>.fromOpaque(vfs!.pointee.pAppData).takeUnretainedValue()
}

/// The VFS object for the length of `body`, without a retain and release: for the calls SQLite makes at every
/// transaction.
@inline(__always) private func withVFS<R>(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ body: (StoreVFS) -> R) -> R {
    Unmanaged<StoreVFS>.fromOpaque(vfs!.pointee.pAppData)._withUnsafeGuaranteedRef(body)
}

@inline(__always) private func handle(_ file: UnsafeMutablePointer<sqlite3_file>?) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(file!).assumingMemoryBound(to: BacktrackFile.self).pointee.handle!
}

/// The main-database handle behind a file SQLite opened through this VFS (also how a connection reaches its own,
/// through `SQLITE_FCNTL_FILE_POINTER`).
@inline(__always) func withMain<R>(_ file: UnsafeMutablePointer<sqlite3_file>?, _ body: (MainFile) -> R) -> R {
    Unmanaged<MainFile>.fromOpaque(handle(file))._withUnsafeGuaranteedRef(body)
}

@inline(__always) private func withMemory<R>(_ file: UnsafeMutablePointer<sqlite3_file>?, _ body: (MemoryFile) -> R)
    -> R
{
    Unmanaged<MemoryFile>.fromOpaque(handle(file))._withUnsafeGuaranteedRef(body)
}

// MARK: - sqlite3_vfs

/// xOpen: the main database goes to the store (CANTOPEN if it does not exist and CREATE was not asked for, or
/// if the volume or the view is unknown); everything else lives in memory. `pMethods` is set only on success,
/// because SQLite calls xClose whenever it is non-NULL.
private func vfsOpen(
    _ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ name: sqlite3_filename?, _ file: UnsafeMutablePointer<sqlite3_file>?,
    _ flags: Int32, _ outFlags: UnsafeMutablePointer<Int32>?
) -> Int32 {
    let owner = storeVFS(vfs)
    let target = UnsafeMutableRawPointer(file!).assumingMemoryBound(to: BacktrackFile.self)
    target.pointee.base.pMethods = nil
    target.pointee.handle = nil
    if flags & SQLITE_OPEN_MAIN_DB != 0 {
        guard let name, let path = VolumePath(String(cString: name)), (try? owner.store.head(of: path.volume)) != nil
        else { return SQLITE_CANTOPEN }
        var view: ReadView?
        if let token = sqlite3_uri_parameter(name, "view") {
            guard let number = UInt64(String(cString: token)), let found = owner.view(number) else {
                return SQLITE_CANTOPEN
            }
            view = found
        }
        let main = MainFile(vfs: owner, volume: path.volume, name: path.file, view: view)
        guard main.exists || (flags & SQLITE_OPEN_CREATE != 0 && view == nil) else { return SQLITE_CANTOPEN }
        target.pointee.handle = Unmanaged.passRetained(main).toOpaque()
        target.pointee.base.pMethods = UnsafePointer(VFSMethods.mainMethods)
        outFlags?.pointee = view == nil ? flags : (flags & ~SQLITE_OPEN_READWRITE) | SQLITE_OPEN_READONLY
    } else {
        let memory = MemoryFile(
            vfs: owner, name: name.map { String(cString: $0) }, deleteOnClose: flags & SQLITE_OPEN_DELETEONCLOSE != 0)
        target.pointee.handle = Unmanaged.passRetained(memory).toOpaque()
        target.pointee.base.pMethods = UnsafePointer(VFSMethods.memoryMethods)
        outFlags?.pointee = flags
    }
    return SQLITE_OK
}

private func vfsDelete(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ name: UnsafePointer<CChar>?, _: Int32) -> Int32 {
    guard let name else { return SQLITE_OK }
    withVFS(vfs) { $0.memoryFiles.remove(String(cString: name)) }
    return SQLITE_OK
}

/// xAccess: runs for `<db>-journal` at the start of every read transaction (SQLite's hot-journal check), so
/// journal names are recognised by their last bytes and answered without a lock while no named memory file
/// exists (always between transactions, with `journal_mode=MEMORY`).
private func vfsAccess(
    _ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ name: UnsafePointer<CChar>?, _: Int32,
    _ result: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guard let name else {
        result?.pointee = 0
        return SQLITE_OK
    }
    let exists = withVFS(vfs) { owner in
        let length = strlen(name)
        if hasSuffix(name, length, "-journal") || hasSuffix(name, length, "-wal") || hasSuffix(name, length, "-shm") {
            return owner.memoryFiles.contains(name)
        }
        guard let path = VolumePath(String(cString: name)) else { return false }
        return ((try? owner.store.shape(of: path.file, in: path.volume)) ?? nil) != nil
    }
    result?.pointee = exists ? 1 : 0
    return SQLITE_OK
}

private func hasSuffix(_ name: UnsafePointer<CChar>, _ length: Int, _ suffix: StaticString) -> Bool {
    let suffixLength = suffix.utf8CodeUnitCount
    guard length >= suffixLength else { return false }
    return memcmp(name + (length - suffixLength), suffix.utf8Start, suffixLength) == 0
}

private func vfsFullPathname(
    _: UnsafeMutablePointer<sqlite3_vfs>?, _ name: UnsafePointer<CChar>?, _ capacity: Int32,
    _ out: UnsafeMutablePointer<CChar>?
) -> Int32 {
    guard let name, let out else { return SQLITE_CANTOPEN }
    let length = strlen(name)
    guard length < Int(capacity) else { return SQLITE_CANTOPEN }
    memcpy(out, name, length + 1)
    return SQLITE_OK
}

private func vfsRandomness(
    _ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ count: Int32, _ out: UnsafeMutablePointer<CChar>?
)
    -> Int32
{
    guard let out, count > 0 else { return 0 }
    withVFS(vfs) { $0.fillRandom(UnsafeMutableRawBufferPointer(start: out, count: Int(count))) }
    return count
}

private func vfsSleep(_: UnsafeMutablePointer<sqlite3_vfs>?, _ microseconds: Int32) -> Int32 {
    usleep(useconds_t(max(0, microseconds)))
    return microseconds
}

/// Julian day number of the Unix epoch, in milliseconds.
private let unixEpochJulianMilliseconds: Int64 = 210_866_760_000_000

private func vfsCurrentTimeInt64(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ out: UnsafeMutablePointer<sqlite3_int64>?)
    -> Int32
{
    out?.pointee = unixEpochJulianMilliseconds + withVFS(vfs) { $0.store.clock.now().microseconds } / 1000
    return SQLITE_OK
}

private func vfsCurrentTime(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    var milliseconds: sqlite3_int64 = 0
    _ = vfsCurrentTimeInt64(vfs, &milliseconds)
    out?.pointee = Double(milliseconds) / 86_400_000
    return SQLITE_OK
}

// MARK: - Main database files

private func mainClose(_ file: UnsafeMutablePointer<sqlite3_file>?) -> Int32 {
    let raw = handle(file)
    Unmanaged<MainFile>.fromOpaque(raw).takeUnretainedValue().close()
    Unmanaged<MainFile>.fromOpaque(raw).release()
    return SQLITE_OK
}

private func mainRead(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _ buffer: UnsafeMutableRawPointer?, _ amount: Int32,
    _ offset: sqlite3_int64
) -> Int32 {
    withMain(file) { $0.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(amount)), at: Int(offset)) }
}

/// xFetch: lends SQLite a page in place of copying it (SQLite asks when `mmap_size` is above 0, for pages it only
/// reads). A null pointer sends SQLite to xRead. SQLite never writes through the pointer.
private func mainFetch(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _ offset: sqlite3_int64, _ amount: Int32,
    _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 {
    let lent = withMain(file) { $0.fetch(at: Int(offset), count: Int(amount)) }
    out?.pointee = lent.map { UnsafeMutableRawPointer(mutating: $0) }
    return SQLITE_OK
}

/// xUnfetch: takes back a page xFetch lent. A null pointer (SQLite dropping a whole mapping) returns nothing:
/// each lent page comes back on its own.
private func mainUnfetch(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _: sqlite3_int64, _ bytes: UnsafeMutableRawPointer?
) -> Int32 {
    if let bytes { withMain(file) { $0.unfetch(bytes) } }
    return SQLITE_OK
}

private func mainWrite(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _ buffer: UnsafeRawPointer?, _ amount: Int32, _ offset: sqlite3_int64
) -> Int32 {
    withMain(file) { $0.write(UnsafeRawBufferPointer(start: buffer, count: Int(amount)), at: Int(offset)) }
}

private func mainTruncate(_ file: UnsafeMutablePointer<sqlite3_file>?, _ size: sqlite3_int64) -> Int32 {
    withMain(file) { $0.truncate(to: Int(size)) }
}

private func mainFileSize(_ file: UnsafeMutablePointer<sqlite3_file>?, _ size: UnsafeMutablePointer<sqlite3_int64>?)
    -> Int32
{
    size?.pointee = sqlite3_int64(withMain(file) { $0.size() })
    return SQLITE_OK
}

private func mainLock(_ file: UnsafeMutablePointer<sqlite3_file>?, _ level: Int32) -> Int32 {
    withMain(file) { $0.lock(level) }
}

private func mainUnlock(_ file: UnsafeMutablePointer<sqlite3_file>?, _ level: Int32) -> Int32 {
    withMain(file) { $0.unlock(level) }
}

private func mainCheckReserved(_ file: UnsafeMutablePointer<sqlite3_file>?, _ out: UnsafeMutablePointer<Int32>?)
    -> Int32
{
    out?.pointee = withMain(file) { $0.shared.isReserved } ? 1 : 0
    return SQLITE_OK
}

/// `SQLITE_FCNTL_COMMIT_PHASETWO` is the commit point; every other control is left to SQLite's defaults.
private func mainFileControl(_ file: UnsafeMutablePointer<sqlite3_file>?, _ op: Int32, _: UnsafeMutableRawPointer?)
    -> Int32
{
    guard op == SQLITE_FCNTL_COMMIT_PHASETWO else { return SQLITE_NOTFOUND }
    return withMain(file) { $0.commit() }
}

private func mainCharacteristics(_ file: UnsafeMutablePointer<sqlite3_file>?) -> Int32 {
    let pinned = withMain(file) { $0.view != nil }
    return SQLITE_IOCAP_POWERSAFE_OVERWRITE | (pinned ? SQLITE_IOCAP_IMMUTABLE : 0)
}

// MARK: - Memory files

private func memoryClose(_ file: UnsafeMutablePointer<sqlite3_file>?) -> Int32 {
    let raw = handle(file)
    Unmanaged<MemoryFile>.fromOpaque(raw).takeUnretainedValue().close()
    Unmanaged<MemoryFile>.fromOpaque(raw).release()
    return SQLITE_OK
}

private func memoryRead(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _ buffer: UnsafeMutableRawPointer?, _ amount: Int32,
    _ offset: sqlite3_int64
) -> Int32 {
    withMemory(file) {
        $0.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(amount)), at: Int(offset))
    }
}

private func memoryWrite(
    _ file: UnsafeMutablePointer<sqlite3_file>?, _ buffer: UnsafeRawPointer?, _ amount: Int32, _ offset: sqlite3_int64
) -> Int32 {
    withMemory(file) { $0.write(UnsafeRawBufferPointer(start: buffer, count: Int(amount)), at: Int(offset)) }
}

private func memoryTruncate(_ file: UnsafeMutablePointer<sqlite3_file>?, _ size: sqlite3_int64) -> Int32 {
    withMemory(file) { $0.truncate(to: Int(size)) }
    return SQLITE_OK
}

private func memoryFileSize(_ file: UnsafeMutablePointer<sqlite3_file>?, _ size: UnsafeMutablePointer<sqlite3_int64>?)
    -> Int32
{
    size?.pointee = sqlite3_int64(withMemory(file) { $0.size })
    return SQLITE_OK
}

/// A database path: `/<volume>/<percent-encoded file name>`.
struct VolumePath {
    var volume: VolumeID
    var file: String

    init?(_ path: String) {
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let number = UInt32(parts[0]), let file = Self.percentDecoded(parts[1]) else {
            return nil
        }
        volume = VolumeID(rawValue: number)
        self.file = file
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
