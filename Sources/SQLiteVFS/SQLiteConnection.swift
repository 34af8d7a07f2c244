import CSQLite
import PageStore

/// A SQLite connection: one `sqlite3*`, used by one thread at a time (it is not `Sendable`, and SQLite is opened
/// with `SQLITE_OPEN_NOMUTEX`). Errors carry SQLite's code, message, the SQL and the error offset.
public final class SQLiteConnection {
    public let handle: OpaquePointer
    /// Keeps the VFS registered for as long as the connection may call it.
    private let vfs: StoreVFS?

    /// Opens `file` of `volume` through `vfs`: at the head (read-write), or pinned to a registered read view
    /// (read-only, never blocking or blocked). Sets the busy timeout, then `journal_mode=MEMORY`.
    public init(
        vfs: StoreVFS, volume: VolumeID, file: String, view: ViewToken? = nil, create: Bool = true,
        busyTimeoutMilliseconds: Int32 = 5_000
    ) throws(SQLiteError) {
        let flags =
            view == nil
            ? SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
            : SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        handle = try Self.open(vfs.uri(volume: volume, file: file, view: view), flags: flags)
        self.vfs = vfs
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        if view == nil { try execute("PRAGMA journal_mode=MEMORY") }
        // SQLite reads pages it will not change through xFetch, and the VFS lends it the store's immutable page
        // images instead of copying them (Docs/DECISIONS.md).
        try execute("PRAGMA mmap_size=\(Self.mmapBytes)")
    }

    /// How much of a database SQLite may read through xFetch: `SQLITE_MAX_MMAP_SIZE`'s default on Linux.
    static let mmapBytes = 0x7FFF_0000

    /// Pages of the main database lent to SQLite by xFetch and not yet taken back: for tests.
    var lentPages: Int {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard vfs != nil, sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK
        else { return 0 }
        return withMain(file) { $0.lentPages }
    }

    /// Opens any SQLite URI (for example SQLite's own `memdb` VFS, the benchmarks' baseline).
    public init(uri: String, flags: Int32 = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI)
        throws(SQLiteError)
    {
        handle = try Self.open(uri, flags: flags | SQLITE_OPEN_NOMUTEX)
        vfs = nil
    }

    private static func open(_ uri: String, flags: Int32) throws(SQLiteError) -> OpaquePointer {
        var db: OpaquePointer?
        let code = sqlite3_open_v2(uri, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let error = SQLiteError(
                code: code, message: db.map { String(cString: sqlite3_errmsg($0)) } ?? "open failed")
            sqlite3_close_v2(db)
            throw error
        }
        sqlite3_extended_result_codes(db, 1)
        return db
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs every statement in `sql`, discarding rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var remaining = sql[...]
        while !remaining.allSatisfy(\.isWhitespace) {
            let (statement, rest) = try prepareFirst(remaining)
            remaining = rest
            guard let statement else { continue }
            while try statement.step() {}
        }
    }

    /// Prepares exactly one statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let (statement, _) = try prepareFirst(sql[...])
        guard let statement else { throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", sql: sql) }
        return statement
    }

    private func prepareFirst(_ sql: Substring) throws(SQLiteError) -> (SQLiteStatement?, Substring) {
        var text = String(sql)
        var raw: OpaquePointer?
        var consumed = 0
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, chars.baseAddress, Int32(chars.count), &raw, &tail)
                if let tail, let base = chars.baseAddress { consumed = tail - base }
                return code
            }
        }
        guard code == SQLITE_OK else { throw error(code, sql: String(sql)) }
        let rest = Substring(text.utf8.dropFirst(consumed))
        text = ""
        return (raw.map { SQLiteStatement(connection: self, handle: $0) }, rest)
    }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        let offset = sqlite3_error_offset(handle)
        return SQLiteError(
            code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql,
            offset: offset >= 0 ? Int(offset) : nil)
    }

    /// The main database's bytes (`sqlite3_serialize`): a whole copy of its state.
    public func serialize() -> [UInt8] {
        var size: sqlite3_int64 = 0
        guard let bytes = sqlite3_serialize(handle, "main", &size, 0) else { return [] }
        defer { sqlite3_free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(size)))
    }

    /// Replaces the main database with `bytes` from `serialize()` (for in-memory databases).
    public func deserialize(_ bytes: [UInt8]) throws(SQLiteError) {
        let size = bytes.count
        guard let copy = sqlite3_malloc64(sqlite3_uint64(max(size, 1)))?.assumingMemoryBound(to: UInt8.self) else {
            throw SQLiteError(code: SQLITE_NOMEM, message: "out of memory")
        }
        if size > 0 { bytes.withUnsafeBufferPointer { copy.update(from: $0.baseAddress!, count: size) } }
        let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE)
        let code = sqlite3_deserialize(handle, "main", copy, sqlite3_int64(size), sqlite3_int64(size), flags)
        guard code == SQLITE_OK else { throw error(code, sql: nil) }
    }

    /// Replaces the main database with a copy of `source`'s, page by page, through SQLite's online backup API
    /// (`sqlite3_backup_*`): SQLite's own way to copy a saved database.
    public func restore(from source: SQLiteConnection) throws(SQLiteError) {
        guard let backup = sqlite3_backup_init(handle, "main", source.handle, "main") else {
            throw error(sqlite3_errcode(handle), sql: nil)
        }
        let step = sqlite3_backup_step(backup, -1)
        let finish = sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE, finish == SQLITE_OK else {
            throw error(step == SQLITE_DONE ? finish : step, sql: nil)
        }
    }

    /// The linked SQLite's version, for reports.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// False inside an explicit transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// SQLite's page-cache counters for this connection (`sqlite3_db_status`), since it opened or since the last
    /// call that reset them: what reached the VFS, for comparing two VFSs under the same SQL.
    public func pageCacheCounters(reset: Bool = false) -> PageCacheCounters {
        func counter(_ operation: Int32) -> Int {
            var current: Int32 = 0
            var highwater: Int32 = 0
            sqlite3_db_status(handle, operation, &current, &highwater, reset ? 1 : 0)
            return Int(current)
        }
        return PageCacheCounters(
            hits: counter(SQLITE_DBSTATUS_CACHE_HIT), misses: counter(SQLITE_DBSTATUS_CACHE_MISS),
            writes: counter(SQLITE_DBSTATUS_CACHE_WRITE))
    }
}

/// Page requests SQLite's cache answered itself (`hits`), pages it had to copy in from the VFS (`misses`, by
/// `xRead`), and pages it wrote to the database file (`writes`). SQLite counts a page lent to it by `xFetch` (a
/// read-only cursor's) as neither.
public struct PageCacheCounters: Sendable, Equatable {
    public var hits: Int
    public var misses: Int
    public var writes: Int
}

/// A prepared statement of one connection.
public final class SQLiteStatement {
    let connection: SQLiteConnection
    let handle: OpaquePointer

    init(connection: SQLiteConnection, handle: OpaquePointer) {
        self.connection = connection
        self.handle = handle
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once: true if a row is available.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw connection.error(code, sql: sqlite3_sql(handle).map { String(cString: $0) })
        }
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(index))) }

    /// The declared type of a result column that is a table column, as written in CREATE TABLE.
    public func declaredType(_ index: Int) -> String? {
        sqlite3_column_decltype(handle, Int32(index)).map { String(cString: $0) }
    }

    /// The table a result column comes from, if it is a table column.
    public func tableName(_ index: Int) -> String? {
        sqlite3_column_table_name(handle, Int32(index)).map { String(cString: $0) }
    }

    public func originName(_ index: Int) -> String? {
        sqlite3_column_origin_name(handle, Int32(index)).map { String(cString: $0) }
    }

    public func value(_ index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let blob = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default: return .null
        }
    }

    /// The storage class of a column of the current row (`SQLITE_INTEGER`, ..., `SQLITE_NULL`).
    public func storageClass(_ index: Int) -> Int32 { sqlite3_column_type(handle, Int32(index)) }

    public func integer(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    public func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    /// The UTF-8 bytes of a column of the current row, without copying; valid only inside `body`.
    public func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let column = Int32(index)
        let pointer = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    public func bind(_ value: SQLiteValue, at index: Int) throws(SQLiteError) {
        let position = Int32(index + 1)
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, position)
        case .integer(let number): code = sqlite3_bind_int64(handle, position, number)
        case .real(let number): code = sqlite3_bind_double(handle, position, number)
        case .text(let text): code = sqlite3_bind_text(handle, position, text, -1, backtrack_sqlite_transient())
        case .blob(let bytes):
            code = bytes.withUnsafeBytes {
                sqlite3_bind_blob(handle, position, $0.baseAddress, Int32($0.count), backtrack_sqlite_transient())
            }
        }
        guard code == SQLITE_OK else { throw connection.error(code, sql: nil) }
    }

    /// Steps to the end, returning every row.
    public func rows() throws(SQLiteError) -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        let count = columnCount
        while try step() { rows.append((0..<count).map(value)) }
        return rows
    }
}

/// A SQLite value as stored: SQLite's five storage classes.
public enum SQLiteValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A SQLite error: the (extended) result code, SQLite's message, and where in the SQL it happened.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?
    /// Byte offset in `sql` of the token the error is about, when SQLite knows it.
    public var offset: Int?

    public init(code: Int32, message: String, sql: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.offset = offset
    }

    /// The primary result code (`SQLITE_CONSTRAINT` for `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public var primaryCode: Int32 { code & 0xFF }

    public var description: String { "SQLite error \(code): \(message)" + (sql.map { " in \($0)" } ?? "") }
}
