import CSQLite
import SQLiteVFS

/// Translating SQLite's errors into MariaDB's (mysql-protocol.md §7, §8).
extension Session {
    func mapError(_ error: any Error, statement: Statement, writer: SQLiteWriter?, connection: SQLiteConnection)
        -> MySQLError
    {
        if let error = error as? MySQLError { return error }
        guard let error = error as? SQLiteError else { return .unknown("\(error)") }
        let message = error.message
        if let table = Self.suffix(of: message, after: "no such table: ") {
            guard let database else { return .noDatabaseSelected }
            let (schema, name) = Self.splitQualified(table)
            return .noSuchTable(schema == "main" || schema == nil ? database : schema!, name)
        }
        if let column = Self.suffix(of: message, after: "no such column: ") {
            return .unknownColumn(column, in: "field list")
        }
        if let table = Self.between(message, "table ", " already exists") { return .tableExists(table) }
        if let columns = Self.suffix(of: message, after: "UNIQUE constraint failed: ") {
            return duplicateEntry(columns, statement: statement, connection: connection)
        }
        if let column = Self.suffix(of: message, after: "NOT NULL constraint failed: ") {
            return .badNull(Self.splitQualified(column).1)
        }
        switch error.primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED: return .lockWaitTimeout()
        case SQLITE_READONLY: return .readOnlyTransaction()
        default: break
        }
        if message.contains("syntax error") || message.hasPrefix("unrecognized token") || message == "incomplete input"
        {
            let offset = error.offset.flatMap { writer?.originalOffset(of: $0) } ?? statement.sql.utf8.count
            return Self.syntaxError(
                statement.sql, at: message == "incomplete input" ? statement.sql.utf8.count : offset)
        }
        return .unknown(message)
    }

    /// 1064 with MariaDB's "near" text: the statement from the error on, at most 80 bytes, and its line.
    static func syntaxError(_ sql: String, at offset: Int) -> MySQLError {
        let bytes = Array(sql.utf8)
        let start = min(max(0, offset), bytes.count)
        let near = String(decoding: bytes[start..<min(bytes.count, start + 80)], as: UTF8.self)
        let line = bytes[..<start].filter { $0 == UInt8(ascii: "\n") }.count + 1
        return .syntax(near: near, line: line)
    }

    /// 1062 with the duplicate value when it can be found: for an INSERT of literal or bound values, the row
    /// whose key is already in the table (or twice in the statement).
    private func duplicateEntry(_ failed: String, statement: Statement, connection: SQLiteConnection) -> MySQLError {
        let qualified = failed.split(separator: ",").map { String($0).trimmingSpaces }
        let table = qualified.first.map { Self.splitQualified(String($0)).0 } ?? nil
        let columns = qualified.map { Self.splitQualified(String($0)).1 }
        guard let table, let schema = try? TableSchema.load(connection, table: table) else {
            return .duplicateEntry("", key: "PRIMARY")
        }
        let primary = schema.columns.filter { $0.primaryKey }.map { $0.name.lowercased() }
        let key = primary == columns.map { $0.lowercased() } ? "PRIMARY" : indexName(table, columns, connection)
        let value = InsertValues(statement, schema: schema)?.duplicate(of: columns, table: table, connection)
        return .duplicateEntry(value ?? "", key: key)
    }

    private func indexName(_ table: String, _ columns: [String], _ connection: SQLiteConnection) -> String {
        guard let list = try? connection.prepare("PRAGMA index_list(\(SQLiteWriter.quoteString(table)))") else {
            return columns.joined(separator: "_")
        }
        while (try? list.step()) == true {
            guard case .text(let name) = list.value(1) else { continue }
            guard let info = try? connection.prepare("PRAGMA index_info(\(SQLiteWriter.quoteString(name)))"),
                let rows = try? info.rows()
            else { continue }
            let indexed = rows.compactMap { if case .text(let column) = $0[2] { column.lowercased() } else { nil } }
            if indexed == columns.map({ $0.lowercased() }) {
                return name.hasPrefix(table + ".") ? String(name.dropFirst(table.count + 1)) : name
            }
        }
        return columns.joined(separator: "_")
    }

    static func suffix(of message: String, after prefix: String) -> String? {
        message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : nil
    }

    static func between(_ message: String, _ prefix: String, _ suffix: String) -> String? {
        guard message.hasPrefix(prefix), message.hasSuffix(suffix) else { return nil }
        return String(message.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// `schema.name` or `name`.
    static func splitQualified(_ text: String) -> (String?, String) {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (nil, text)
    }
}

/// The rows of an `INSERT ... VALUES` whose values are literals or bound parameters.
struct InsertValues {
    let columns: [String]
    let rows: [[SQLValue]]

    init?(_ statement: Session.Statement, schema: TableSchema) {
        var cursor = TokenCursor(statement.tokens)
        guard cursor.consume("INSERT") || cursor.consume("REPLACE") else { return nil }
        _ = cursor.consume("IGNORE")
        _ = cursor.consume("INTO")
        guard cursor.next()?.isName == true else { return nil }
        var names = schema.columns.map(\.name)
        if cursor.peek?.text == "(", let close = cursor.matchingParenthesis() {
            names = statement.tokens[(cursor.position + 1)..<close].filter(\.isName).map(\.text)
            cursor.position = close + 1
        }
        guard cursor.consume("VALUES") || cursor.consume("VALUE") else { return nil }
        var parameter = 0
        var rows: [[SQLValue]] = []
        while cursor.peek?.text == "(", let close = cursor.matchingParenthesis() {
            let values = CreateTable.splitTopLevel(Array(statement.tokens[(cursor.position + 1)..<close])).map {
                part -> SQLValue in
                guard part.count == 1 || (part.count == 2 && part[0].text == "-") else { return .null }
                let token = part.last!
                switch token.kind {
                case .placeholder:
                    defer { parameter += 1 }
                    return parameter < statement.parameters.count ? statement.parameters[parameter] : .null
                case .number:
                    let text = (part.count == 2 ? "-" : "") + token.text
                    return Int64(text).map(SQLValue.integer) ?? Double(text).map(SQLValue.real) ?? .text(text)
                case .string: return .text(token.text)
                default: return .null
                }
            }
            rows.append(values)
            cursor.position = close + 1
            _ = cursor.consume(",")
        }
        columns = names
        self.rows = rows
    }

    /// The first row's key (joined with `-`, as MySQL shows composite keys) that already exists or repeats.
    func duplicate(of keyColumns: [String], table: String, _ connection: SQLiteConnection) -> String? {
        let positions = keyColumns.compactMap { key in columns.firstIndex { $0.lowercased() == key.lowercased() } }
        guard positions.count == keyColumns.count else { return nil }
        var seen = Set<[SQLValue]>()
        let condition = keyColumns.map { "\(SQLiteWriter.quoteIdentifier($0)) = ?" }.joined(separator: " AND ")
        guard
            let lookup = try? connection.prepare(
                "SELECT 1 FROM \(SQLiteWriter.quoteIdentifier(table)) WHERE \(condition) LIMIT 1")
        else { return nil }
        for row in rows where positions.allSatisfy({ $0 < row.count }) {
            let key = positions.map { row[$0] }
            lookup.reset()
            for (index, value) in key.enumerated() { try? lookup.bind(value, at: index) }
            if !seen.insert(key).inserted || (try? lookup.step()) == true {
                return key.map { $0.mysqlText ?? "NULL" }.joined(separator: "-")
            }
        }
        return nil
    }
}
