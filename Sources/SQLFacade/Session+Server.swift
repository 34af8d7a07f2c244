import PageStore
import SQLiteVFS

/// Statements the session answers itself (mysql-protocol.md §4, §6, §8).
extension Session {
    /// The answer to a server statement, or nil to pass the statement to SQLite.
    func answer(_ statement: Statement) throws(MySQLError) -> QueryResult? {
        var cursor = TokenCursor(statement.tokens)
        let first = cursor.next()!
        switch first.upper {
        case "SHOW": return try show(statement, &cursor)
        case "USE":
            guard let name = cursor.next(), name.isName || name.kind == .string else {
                throw Self.syntaxError(statement.sql, at: first.end)
            }
            try use(name.text)
            return QueryResult()
        case "SET": return try set(statement, &cursor)
        case "CREATE" where cursor.consume("DATABASE") || cursor.consume("SCHEMA"):
            return try createDatabase(&cursor)
        case "DROP" where cursor.consume("DATABASE") || cursor.consume("SCHEMA"):
            return try dropDatabase(&cursor)
        case "CREATE": return try createTableOrIndex(statement)
        case "DROP" where cursor.consume("TABLE") || cursor.consume("TEMPORARY", "TABLE"):
            return try dropTables(statement, &cursor)
        case "DROP" where cursor.consume("INDEX"): return try dropIndex(statement, &cursor)
        case "CHECKSUM" where cursor.consume("TABLE"): return try checksumTables(statement, &cursor)
        case "TRUNCATE":
            _ = cursor.consume("TABLE")
            let rest = Array(statement.tokens[cursor.position...])
            let tokens =
                [Self.synthesized(.word, "DELETE", like: first), Self.synthesized(.word, "FROM", like: first)] + rest
            try requireDatabase()
            _ = try run(Statement(sql: statement.sql, tokens: tokens, parameters: []))
            return QueryResult()
        case "BEGIN", "START":
            // START TRANSACTION's options (READ ONLY, WITH CONSISTENT SNAPSHOT) change nothing here: SQLite
            // transactions are already consistent snapshots.
            try implicitCommit()
            return try run(
                Statement(sql: statement.sql, tokens: [Self.synthesized(.word, "BEGIN", like: first)], parameters: []))
        case "COMMIT", "ROLLBACK":
            guard !statement.tokens.contains(where: { $0.isWord("TO") }) else { return nil }
            guard isInTransaction else { return QueryResult() }
            return try run(Statement(sql: statement.sql, tokens: [first], parameters: []))
        case "DESCRIBE" where statement.tokens.count == 2, "DESC" where statement.tokens.count == 2,
            "EXPLAIN" where statement.tokens.count == 2:
            return try showColumns(table: statement.tokens[1].text)
        case "SELECT": return try timeTravel(statement)
        case "INSERT", "UPDATE", "DELETE", "REPLACE", "ALTER", "RENAME":
            try requireDatabase()
            if ["ALTER", "RENAME"].contains(first.upper) { try implicitCommit() }
            return nil
        default: return nil
        }
    }

    func requireDatabase() throws(MySQLError) {
        guard database != nil else { throw MySQLError.noDatabaseSelected }
    }

    /// DDL commits an open transaction first, as in MySQL.
    func implicitCommit() throws(MySQLError) {
        guard isInTransaction else { return }
        _ = try run(Statement(sql: "COMMIT", tokens: try! Lexer.tokens("COMMIT"), parameters: []))
    }

    // MARK: SHOW

    private func show(_ statement: Statement, _ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        let full = cursor.consume("FULL")
        if cursor.consume("DATABASES") || cursor.consume("SCHEMAS") {
            let names = ["information_schema"] + (try volume.databases())
            return stringTable(
                ["Database"], rows: filter(names.map { [$0] }, &cursor), lengths: [64])
        }
        if cursor.consume("TABLES") {
            var schema = database
            if cursor.consume("FROM") || cursor.consume("IN") { schema = cursor.next()?.text }
            guard let schema else { throw MySQLError.noDatabaseSelected }
            let tables = try tableNames(in: schema)
            let rows = filter(tables.map { full ? [$0, "BASE TABLE"] : [$0] }, &cursor)
            return stringTable(
                full ? ["Tables_in_\(schema)", "Table_type"] : ["Tables_in_\(schema)"], rows: rows, lengths: [64, 64])
        }
        if cursor.consume("WARNINGS") || cursor.consume("ERRORS") {
            let rows = warnings.map { [SQLValue.text($0.level.rawValue), .integer(Int64($0.code)), .text($0.message)] }
            let clientBytes = UInt32(Charset.maxBytes(clientCollation: clientCollation))
            return QueryResult(
                columns: [
                    Column(
                        name: "Level", type: .varString, length: 7 * clientBytes, flags: [.notNull],
                        charset: clientCollation),
                    Column(name: "Code", type: .long, length: 4, flags: [.notNull, .unsigned, .binary]),
                    Column(
                        name: "Message", type: .varString, length: 512 * clientBytes, flags: [.notNull],
                        charset: clientCollation),
                ], rows: rows)
        }
        if cursor.consume("COUNT"), cursor.consume("(", "*", ")"),
            cursor.consume("WARNINGS") || cursor.consume("ERRORS")
        {
            return QueryResult(
                columns: [Column(name: "@@session.warning_count", type: .longlong, length: 21, flags: [.binary])],
                rows: [[.integer(Int64(warnings.count))]])
        }
        if cursor.consume("VARIABLES") || cursor.consume("SESSION", "VARIABLES")
            || cursor.consume("GLOBAL", "VARIABLES")
        {
            let rows = SystemVariables.values.keys.sorted().map { name in
                [name, systemVariable(name)?.mysqlText ?? ""]
            }
            return stringTable(["Variable_name", "Value"], rows: filter(rows, &cursor), lengths: [64, 2048])
        }
        if cursor.consume("COLUMNS") || cursor.consume("FIELDS") {
            guard cursor.consume("FROM") || cursor.consume("IN"), let table = cursor.next() else {
                throw Self.syntaxError(statement.sql, at: cursor.peek?.start ?? statement.sql.utf8.count)
            }
            return try showColumns(table: table.text)
        }
        throw MySQLError.notSupported(statement.text(from: 0))
    }

    /// `LIKE 'pattern'` on the first column, as SHOW supports it.
    private func filter(_ rows: [[String]], _ cursor: inout TokenCursor) -> [[String]] {
        guard cursor.consume("LIKE"), let pattern = cursor.next(), pattern.kind == .string else { return rows }
        return rows.filter { Self.like($0[0], pattern.text) }
    }

    static func like(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text.lowercased().unicodeScalars)
        let p = Array(pattern.lowercased().unicodeScalars)
        func match(_ i: Int, _ j: Int) -> Bool {
            if j == p.count { return i == t.count }
            if p[j] == "%" { return (i...t.count).contains { match($0, j + 1) } }
            if p[j] == "\\", j + 1 < p.count { return i < t.count && t[i] == p[j + 1] && match(i + 1, j + 2) }
            return i < t.count && (p[j] == "_" || p[j] == t[i]) && match(i + 1, j + 1)
        }
        return match(0, 0)
    }

    private func stringTable(_ names: [String], rows: [[String]], lengths: [UInt32]) -> QueryResult {
        let clientBytes = UInt32(Charset.maxBytes(clientCollation: clientCollation))
        let columns = names.enumerated().map { index, name in
            Column(
                name: name, type: .varString, length: lengths[min(index, lengths.count - 1)] * clientBytes,
                flags: [.notNull, .noDefaultValue], charset: clientCollation)
        }
        return QueryResult(columns: columns, rows: rows.map { $0.map(SQLValue.text) })
    }

    func tableNames(in schema: String) throws(MySQLError) -> [String] {
        let db: SQLiteConnection = schema == database ? try currentConnection() : try open(schema)
        do {
            let statement = try db.prepare(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                    + "ORDER BY name")
            return try statement.rows().compactMap { if case .text(let name) = $0[0] { name } else { nil } }
        } catch {
            throw MySQLError.unknown(error.message)
        }
    }

    private func showColumns(table: String) throws(MySQLError) -> QueryResult {
        guard let database else { throw MySQLError.noDatabaseSelected }
        let db = try currentConnection()
        let schema: TableSchema?
        do { schema = try TableSchema.load(db, table: table) } catch { throw MySQLError.unknown(error.message) }
        guard let schema else { throw MySQLError.noSuchTable(database, table) }
        let rows = schema.columns.map { column -> [String] in
            [
                column.name, (column.type.map { Self.typeText($0) } ?? "").lowercased(), column.nullable ? "YES" : "NO",
                column.primaryKey ? "PRI" : "", "", "",
            ]
        }
        return stringTable(["Field", "Type", "Null", "Key", "Default", "Extra"], rows: rows, lengths: [64])
    }

    private static func typeText(_ type: DeclaredType) -> String {
        type.name + (type.arguments.isEmpty ? "" : "(" + type.arguments.map(String.init).joined(separator: ",") + ")")
            + (type.isUnsigned ? " unsigned" : "")
    }

    // MARK: SET

    private func set(_ statement: Statement, _ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        if cursor.consume("NAMES") || cursor.consume("CHARACTER", "SET") || cursor.consume("CHARSET") {
            if let name = cursor.next() {
                switch name.text.lowercased() {
                case "latin1": clientCollation = 8
                case "utf8", "utf8mb3": clientCollation = 33
                case "binary": clientCollation = 63
                default: clientCollation = 45
                }
            }
            return QueryResult()
        }
        if cursor.consume("TRANSACTION") || cursor.consume("SESSION", "TRANSACTION")
            || cursor.consume("GLOBAL", "TRANSACTION")
        {
            return QueryResult()
        }
        for assignment in CreateTable.splitTopLevel(Array(cursor.remaining)) where !assignment.isEmpty {
            try assign(assignment, statement)
        }
        return QueryResult()
    }

    private func assign(_ tokens: [Token], _ statement: Statement) throws(MySQLError) {
        var cursor = TokenCursor(tokens)
        _ = cursor.consume("SESSION") || cursor.consume("GLOBAL") || cursor.consume("LOCAL")
        guard let target = cursor.next(), cursor.consume("=") || cursor.consume(":=") else {
            throw Self.syntaxError(statement.sql, at: tokens.first?.start ?? 0)
        }
        let expression = Array(cursor.remaining)
        if target.kind == .variable, !target.text.hasPrefix("@@") {
            userVariables[String(target.text.dropFirst()).lowercased()] = try evaluate(expression, statement)
            return
        }
        let name = SystemVariables.bareName(target.text)
        if name == "autocommit" {
            let value = try evaluate(expression, statement)
            let on: Bool =
                switch value {
                case .integer(let number): number != 0
                case .text(let text): text.uppercased() == "ON" || text == "1"
                default: true
                }
            try setAutocommit(on)
        }
        // Other session variables are accepted and have no effect (connectors set many of them).
    }

    /// The value of a scalar expression (`ON` and `OFF` read as words).
    private func evaluate(_ expression: [Token], _ statement: Statement) throws(MySQLError) -> SQLValue {
        if expression.count == 1, expression[0].kind == .word {
            return .text(expression[0].upper)
        }
        let select = [Self.synthesized(.word, "SELECT", like: expression.first ?? statement.tokens[0])] + expression
        let result = try run(
            Statement(sql: statement.sql, tokens: select, parameters: statement.parameters), on: try currentConnection()
        )
        return result.rows.first?.first ?? .null
    }

    // MARK: Databases and tables

    private func createDatabase(_ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        let ifNotExists = cursor.consume("IF", "NOT", "EXISTS")
        guard let name = cursor.next(), name.isName else {
            throw MySQLError.syntax(near: "", line: 1)
        }
        if volume.databaseExists(name.text) {
            guard ifNotExists else { throw MySQLError.databaseExists(name.text) }
            addWarning(.note, .databaseExists(name.text))
            return QueryResult(warningCount: warnings.count)
        }
        try volume.createDatabase(name.text)
        return QueryResult(affectedRows: 1)
    }

    private func dropDatabase(_ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        let ifExists = cursor.consume("IF", "EXISTS")
        guard let name = cursor.next(), name.isName else { throw MySQLError.syntax(near: "", line: 1) }
        guard volume.databaseExists(name.text) else {
            guard ifExists else { throw MySQLError.cannotDropDatabase(name.text) }
            addWarning(.note, .cannotDropDatabase(name.text))
            return QueryResult(warningCount: warnings.count)
        }
        let tables = try tableNames(in: name.text).count
        forget(name.text)
        try volume.dropDatabase(name.text)
        return QueryResult(affectedRows: tables)
    }

    private func createTableOrIndex(_ statement: Statement) throws(MySQLError) -> QueryResult? {
        let tokens = statement.tokens
        let isTable = tokens.prefix(3).contains { $0.isWord("TABLE") }
        let isIndex = tokens.prefix(4).contains { $0.isWord("INDEX") }
        guard isTable || isIndex else { return nil }
        try requireDatabase()
        try implicitCommit()
        let db = try currentConnection()
        let sql: [String]
        if isTable {
            let definition = try CreateTable(try rewrite(tokens))
            if definition.ifNotExists,
                try tableNames(in: database!).contains(where: { $0.lowercased() == definition.table.lowercased() })
            {
                addWarning(.note, .tableExists(definition.table))
                return QueryResult(warningCount: warnings.count)
            }
            sql = [definition.sql] + definition.indexes
        } else {
            sql = [try CreateTable.createIndex(tokens)]
        }
        do {
            if sql.count > 1 { try db.execute("SAVEPOINT create_table") }
            for text in sql { try db.execute(text) }
            if sql.count > 1 { try db.execute("RELEASE create_table") }
        } catch {
            if sql.count > 1 { try? db.execute("ROLLBACK TO create_table; RELEASE create_table") }
            throw mapError(error, statement: statement, writer: nil, connection: db)
        }
        return QueryResult()
    }

    private func dropTables(_ statement: Statement, _ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        let ifExists = cursor.consume("IF", "EXISTS")
        guard let database else { throw MySQLError.noDatabaseSelected }
        try implicitCommit()
        let names = CreateTable.splitTopLevel(Array(cursor.remaining)).compactMap { part in
            part.last { $0.isName && !$0.isWord("RESTRICT") && !$0.isWord("CASCADE") }?.text
        }
        let existing = Set(try tableNames(in: database).map { $0.lowercased() })
        let missing = names.filter { !existing.contains($0.lowercased()) }
        let db = try currentConnection()
        for name in names where existing.contains(name.lowercased()) {
            do {
                try db.execute("DROP TABLE \(SQLiteWriter.quoteIdentifier(name))")
            } catch {
                throw mapError(error, statement: statement, writer: nil, connection: db)
            }
        }
        if !missing.isEmpty {
            let error = MySQLError.unknownTable(missing.map { "\(database).\($0)" })
            guard ifExists else { throw error }
            for name in missing { addWarning(.note, .unknownTable(["\(database).\(name)"])) }
        }
        return QueryResult(warningCount: warnings.count)
    }

    /// DROP INDEX name ON table: the SQLite index is `table.name`.
    private func dropIndex(_ statement: Statement, _ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        guard let name = cursor.next(), cursor.consume("ON"), let table = cursor.next() else {
            throw Self.syntaxError(statement.sql, at: statement.tokens.last?.start ?? 0)
        }
        try requireDatabase()
        try implicitCommit()
        let db = try currentConnection()
        do {
            try db.execute("DROP INDEX \(SQLiteWriter.quoteIdentifier(table.text + "." + name.text))")
        } catch {
            throw MySQLError(
                code: 1091, sqlState: "42000",
                message: "Can't DROP INDEX `\(name.text)`; check that it exists")
        }
        return QueryResult()
    }

    // MARK: CHECKSUM TABLE

    private func checksumTables(_ statement: Statement, _ cursor: inout TokenCursor) throws(MySQLError) -> QueryResult {
        var quick = false
        var targets: [(database: String?, table: String)] = []
        for part in CreateTable.splitTopLevel(Array(cursor.remaining)) {
            var names = part.filter { $0.isName }
            if let last = names.last, last.isWord("QUICK") || last.isWord("EXTENDED") {
                quick = last.isWord("QUICK")
                names.removeLast()
            }
            guard let table = names.last else { throw Self.syntaxError(statement.sql, at: part.first?.start ?? 0) }
            targets.append((names.count > 1 ? names[0].text : nil, table.text))
        }
        var rows: [[SQLValue]] = []
        for target in targets {
            guard let schema = target.database ?? database else { throw MySQLError.noDatabaseSelected }
            let label = "\(schema).\(target.table)"
            let value: UInt32?
            if schema == database, let db = try? currentConnection() {
                value = try TableChecksum.of(target.table, schema: "main", on: db)
            } else if volume.databaseExists(schema) {
                value = try TableChecksum.of(target.table, schema: "main", on: try open(schema))
            } else {
                value = nil
            }
            if value == nil { addWarning(.error, .noSuchTable(schema, target.table)) }
            rows.append([.text(label), quick || value == nil ? .null : .integer(Int64(value!))])
        }
        let clientBytes = UInt32(Charset.maxBytes(clientCollation: clientCollation))
        return QueryResult(
            columns: [
                Column(
                    name: "Table", type: .varString, length: 384 * clientBytes, decimals: 39, charset: clientCollation),
                Column(name: "Checksum", type: .longlong, length: 21, flags: [.binary]),
            ], rows: rows, warningCount: warnings.count)
    }

    // MARK: AS OF

    /// `SELECT ... FOR SYSTEM_TIME AS OF [TIMESTAMP] '...'`: the whole statement at that time, through a pinned
    /// connection. Nil for SELECTs without the clause.
    private func timeTravel(_ statement: Statement) throws(MySQLError) -> QueryResult? {
        var tokens: [Token] = []
        var times: Set<String> = []
        var cursor = TokenCursor(statement.tokens)
        while let token = cursor.next() {
            if token.isWord("FOR"), cursor.peek?.isWord("SYSTEM_TIME") == true {
                _ = cursor.next()
                guard cursor.consume("AS", "OF") else { throw MySQLError.notSupported("FOR SYSTEM_TIME without AS OF") }
                _ = cursor.consume("TIMESTAMP")
                guard let value = cursor.next(), value.kind == .string else {
                    throw Self.syntaxError(statement.sql, at: token.start)
                }
                times.insert(value.text)
                continue
            }
            tokens.append(token)
        }
        guard let text = times.first else { return nil }
        guard times.count == 1 else { throw MySQLError.notSupported("AS OF different times in one statement") }
        guard let time = Timestamp(iso8601: text) else {
            throw MySQLError(code: 1292, sqlState: "22007", message: "Incorrect datetime value: '\(text)'")
        }
        try requireDatabase()
        let past = try at(time)
        guard past.database != nil else {
            throw MySQLError.noSuchTable(database!, tokens.first { $0.isName }?.text ?? "")
        }
        return try past.run(Statement(sql: statement.sql, tokens: tokens, parameters: statement.parameters))
    }
}
