import CSQLite
import PageStore
import SQLiteVFS

/// A MySQL session on the schemas of one volume: it runs MySQL-flavoured SQL on SQLite and answers as MariaDB
/// would, with typed results and MySQL errors.
///
/// Statements SQLite understands pass through, rewritten where MySQL spells things differently (backtick
/// identifiers, backslash escapes, `AUTO_INCREMENT`, table options, `NOW()`, ...). Statements that are about the
/// server (`SHOW ...`, `USE`, `SET`, `CREATE/DROP DATABASE`, `CHECKSUM TABLE`, `@@variables`) are answered by
/// the session itself. `SELECT ... FOR SYSTEM_TIME AS OF TIMESTAMP '...'` reads the whole statement at that time
/// through a pinned, read-only connection, without backtracking.
///
/// A session is used by one thread at a time (it is not `Sendable`). Every committed transaction is one commit
/// of the volume; a transaction that writes two schemas commits each on its own.
public final class Session {
    public let volume: SQLVolume
    /// The current schema (`USE`), or nil.
    public private(set) var database: String?
    /// What the last statement left for `SHOW WARNINGS`.
    public private(set) var warnings: [MySQLWarning] = []
    public private(set) var autocommit = true
    /// The client's collation id (the handshake's charset byte, or `SET NAMES`): sizes string columns.
    public var clientCollation: UInt16 = 45
    public private(set) var lastInsertID: Int64 = 0
    /// The MySQL user this session authenticated as (what `USER()` shows).
    public var user = "masteruser"
    /// The connection id the MySQL endpoint gave this session (what `CONNECTION_ID()` shows).
    public var connectionID: UInt32 = 1
    /// Session user variables (`SET @x = ...`).
    var userVariables: [String: SQLValue] = [:]
    /// A read view this session is pinned to (`Session.at`), or nil for the head.
    let pinned: PinnedView?

    private var connection: SQLiteConnection?
    private var scratch: SQLiteConnection?

    final class PinnedView {
        let view: ReadView
        let token: ViewToken
        let vfs: StoreVFS

        init(view: ReadView, vfs: StoreVFS) {
            self.view = view
            self.vfs = vfs
            token = vfs.register(view)
        }

        deinit { vfs.unregister(token) }
    }

    init(volume: SQLVolume, database: String?, pinned: PinnedView? = nil) throws(MySQLError) {
        self.volume = volume
        self.pinned = pinned
        if let database { try use(database) }
    }

    deinit { close() }

    /// Ends the session: an open transaction is rolled back, as when a MySQL connection drops.
    public func close() {
        if let connection, !connection.isAutocommit { try? connection.execute("ROLLBACK") }
        connection = nil
        scratch = nil
    }

    /// True inside an explicit transaction (or an implicit one with autocommit off).
    public var isInTransaction: Bool { connection.map { !$0.isAutocommit } ?? false }

    // MARK: Executing

    /// Runs one statement. Parameters bind `?` placeholders in order.
    @discardableResult
    public func execute(_ sql: String, parameters: [SQLValue] = []) throws(MySQLError) -> QueryResult {
        let lexed = try Self.lex(sql)
        let tokens = lexed.tokens
        let first = tokens[0]
        let statement = Statement(sql: sql, tokens: tokens, parameters: parameters, isPlain: lexed.isPlain)
        if !(first.isWord("SHOW") && tokens.count > 1
            && (tokens[1].isWord("WARNINGS") || tokens[1].isWord("COUNT")
                || tokens[1].isWord("ERRORS")))
        {
            warnings = []
        }
        if let answered = try answer(statement) { return answered }
        return try run(statement)
    }

    /// The statement's tokens: 1064 if it does not lex, 1065 if there are none.
    static func lex(_ sql: String) throws(MySQLError) -> Lexer.Lexed {
        let lexed: Lexer.Lexed
        do {
            lexed = try Lexer.lex(sql)
        } catch {
            throw syntaxError(sql, at: error.offset)
        }
        guard !lexed.tokens.isEmpty else {
            throw MySQLError(code: 1065, sqlState: "42000", message: "Query was empty")
        }
        return lexed
    }

    /// One statement being executed: its text, tokens and parameters.
    struct Statement {
        var sql: String
        var tokens: [Token]
        var parameters: [SQLValue]
        /// True only when `tokens` are all of `sql` and the lexer found its text to be SQLite's already.
        var isPlain = false

        func text(from index: Int) -> String {
            guard index < tokens.count else { return "" }
            return String(decoding: Array(sql.utf8)[tokens[index].start...], as: UTF8.self)
        }
    }

    // MARK: Connections

    /// Switches the current schema, opening a connection to it.
    func use(_ name: String) throws(MySQLError) {
        guard volume.databaseExists(name) else { throw MySQLError.unknownDatabase(name) }
        if name == database, connection != nil { return }
        if isInTransaction {
            throw MySQLError.unknown("USE of another database inside a transaction is not supported")
        }
        connection = nil
        database = name
        connection = try open(name)
    }

    func open(_ name: String) throws(MySQLError) -> SQLiteConnection {
        do {
            return try SQLiteConnection(
                vfs: volume.vfs, volume: volume.volume, file: name, view: pinned?.token, create: false)
        } catch {
            throw MySQLError.unknown("cannot open database '\(name)': \(error.message)")
        }
    }

    /// The connection statements run on: the current schema's, or, for statements that read no table
    /// (`SELECT 1`), an empty database through the same VFS, so that its clock is still the volume's. Its name
    /// is one no schema can have, and nothing is ever written to it.
    func currentConnection() throws(MySQLError) -> SQLiteConnection {
        if let connection { return connection }
        if let scratch { return scratch }
        do {
            let created = try SQLiteConnection(
                vfs: volume.vfs, volume: volume.volume, file: "information_schema", view: pinned?.token,
                create: pinned == nil)
            scratch = created
            return created
        } catch {
            throw MySQLError.unknown(error.message)
        }
    }

    /// Closes the connection to `name` if it is the current schema (before it is dropped).
    func forget(_ name: String) {
        guard name == database else { return }
        connection = nil
        database = nil
    }

    // MARK: Passing statements to SQLite

    /// Rewrites a statement for SQLite, runs it, and shapes the result as MySQL would.
    func run(_ statement: Statement, on target: SQLiteConnection? = nil) throws(MySQLError) -> QueryResult {
        let writer = try sqlite(statement)
        let db: SQLiteConnection
        if let target { db = target } else { db = try currentConnection() }
        try beginImplicitTransaction(statement, on: db)
        do {
            let prepared = try db.prepare(writer.text)
            guard prepared.parameterCount <= statement.parameters.count else {
                throw MySQLError(
                    code: 1210, sqlState: "HY000", message: "Incorrect arguments to mysqld_stmt_execute")
            }
            for (index, value) in statement.parameters.prefix(prepared.parameterCount).enumerated() {
                try prepared.bind(value, at: index)
            }
            if prepared.columnCount > 0 {
                return try resultSet(prepared, statement: statement)
            }
            while try prepared.step() {}
            return okResult(statement, db)
        } catch let error as SQLiteError {
            throw mapError(error, statement: statement, writer: writer, connection: db)
        } catch let error as MySQLError {
            throw error
        } catch {
            throw MySQLError.unknown("\(error)")
        }
    }

    /// With autocommit off, the first statement after a commit opens a transaction, as in MySQL.
    private func beginImplicitTransaction(_ statement: Statement, on db: SQLiteConnection) throws(MySQLError) {
        guard !autocommit, db.isAutocommit, pinned == nil, let first = statement.tokens.first,
            ["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"].contains(first.upper)
        else { return }
        do { try db.execute("BEGIN") } catch { throw MySQLError.unknown(error.message) }
    }

    private func okResult(_ statement: Statement, _ db: SQLiteConnection) -> QueryResult {
        let verb = statement.tokens.first?.upper ?? ""
        let isDML = ["INSERT", "UPDATE", "DELETE", "REPLACE"].contains(verb)
        let affected = isDML ? db.changes : 0
        var insertID: Int64 = 0
        if (verb == "INSERT" || verb == "REPLACE"), affected > 0 {
            // MySQL reports the first id of a multi-row insert; SQLite the last.
            insertID = db.lastInsertRowID - Int64(affected) + 1
            lastInsertID = insertID
        }
        return QueryResult(affectedRows: affected, lastInsertID: insertID, warningCount: warnings.count)
    }

    private func resultSet(_ prepared: SQLiteStatement, statement: Statement) throws -> QueryResult {
        let count = prepared.columnCount
        var rows: [[SQLValue]] = []
        while try prepared.step() {
            var row: [SQLValue] = []
            row.reserveCapacity(count)
            for index in 0..<count { row.append(prepared.value(index)) }
            rows.append(row)
        }
        let names = SelectList(statement).names(count: count)
        let columns = (0..<count).map { index in
            column(prepared, index, rows: rows, name: names?[index])
        }
        return QueryResult(columns: columns, rows: rows, warningCount: warnings.count)
    }

    /// A result column's MySQL description: from the declared type of a table column, else from the values.
    func column(_ prepared: SQLiteStatement, _ index: Int, rows: [[SQLValue]], name: SelectList.Name?)
        -> Column
    {
        let sqliteName = prepared.columnName(index)
        let columnName = name?.text ?? sqliteName
        let table = prepared.tableName(index) ?? ""
        let clientBytes = UInt32(Charset.maxBytes(clientCollation: clientCollation))
        if let declared = prepared.declaredType(index).flatMap(DeclaredType.init) {
            let (type, length, decimals) = declared.protocolType
            let textual = declared.isTextual
            var flags: ColumnFlags = declared.isUnsigned ? [.unsigned] : []
            if !textual { flags.insert(.binary) }
            return Column(
                name: columnName, type: type, length: textual ? length.multipliedClamped(by: clientBytes) : length,
                flags: flags,
                decimals: decimals, charset: textual ? clientCollation : 63, table: table,
                originalName: prepared.originName(index), schema: table.isEmpty ? "" : database ?? "")
        }
        if let forced = name?.type {
            return Column(name: columnName, type: forced.0, length: forced.1, flags: [.binary], charset: 63)
        }
        return Self.inferredColumn(
            columnName, values: rows.lazy.map { $0[index] }, clientBytes: clientBytes,
            clientCollation: clientCollation)
    }

    static func inferredColumn<S: Sequence>(_ name: String, values: S, clientBytes: UInt32, clientCollation: UInt16)
        -> Column where S.Element == SQLValue
    {
        var kind: MySQLType = .null
        var length: UInt32 = 0
        for value in values {
            switch value {
            case .null: continue
            case .integer(let number):
                let digits = UInt32(String(number).count)
                if kind == .null || kind == .long || kind == .longlong {
                    kind = (kind == .longlong || number < Int32.min || number > Int32.max) ? .longlong : .long
                }
                length = max(length, digits)
            case .real(let number):
                if kind != .varString && kind != .blob { kind = .double }
                length = max(length, UInt32(MySQLFormat.double(number).count))
            case .text(let text):
                kind = .varString
                length = max(length, UInt32(clamping: text.count).multipliedClamped(by: clientBytes))
            case .blob(let bytes):
                kind = .blob
                length = max(length, UInt32(clamping: bytes.count))
            }
        }
        let textual = kind == .varString
        return Column(
            name: name, type: kind, length: length, flags: textual ? [] : [.binary],
            decimals: kind == .double ? 31 : (textual ? 39 : 0), charset: textual ? clientCollation : 63)
    }

    // MARK: Time travel

    /// A read-only session on the state this volume had at `time`, in the same schema.
    public func at(_ time: Timestamp) throws(MySQLError) -> Session {
        let view: ReadView
        do {
            view = try volume.store.readView(of: volume.volume, at: time)
        } catch {
            throw MySQLError.wrongArguments("AS OF TIMESTAMP (\(error))")
        }
        let pinnedView = PinnedView(view: view, vfs: volume.vfs)
        let session = try Session(volume: volume, database: nil, pinned: pinnedView)
        if let database, view.shape(of: database) != nil { try session.use(database) }
        return session
    }

    /// MariaDB's CHECKSUM TABLE value of `table` in the current schema, now or at a past time; nil if the table
    /// does not exist.
    public func checksum(_ table: String, at time: Timestamp? = nil) throws(MySQLError) -> UInt32? {
        if let time { return try at(time).checksum(table) }
        guard database != nil, let connection else { throw MySQLError.noDatabaseSelected }
        return try TableChecksum.of(table, schema: "main", on: connection)
    }

    func addWarning(_ level: MySQLWarning.Level, _ error: MySQLError) {
        warnings.append(MySQLWarning(level: level, code: error.code, message: error.message))
    }

    func setAutocommit(_ on: Bool) throws(MySQLError) {
        autocommit = on
        if on, let connection, !connection.isAutocommit {
            do { try connection.execute("COMMIT") } catch { throw MySQLError.unknown(error.message) }
        }
    }
}

extension UInt32 {
    /// MySQL column lengths saturate at 2^32 - 1 (LONGTEXT in a 4-byte character set would overflow).
    func multipliedClamped(by factor: UInt32) -> UInt32 { UInt32(clamping: UInt64(self) * UInt64(factor)) }
}
