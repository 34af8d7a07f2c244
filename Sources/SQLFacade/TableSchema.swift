import SQLiteVFS

/// What the façade knows of a table beyond SQLite: each column's declared MySQL type, nullability and charset.
struct TableSchema {
    struct Column {
        var name: String
        var type: DeclaredType?
        var nullable: Bool
        var charset: Charset
        var primaryKey: Bool
    }

    var name: String
    var columns: [Column]
    var charset: Charset

    /// Reads a table's definition from `schema`'s `sqlite_master` (annotations included) and `table_xinfo`;
    /// nil if there is no such table.
    static func load(_ connection: SQLiteConnection, table: String, schema: String = "main") throws(SQLiteError)
        -> TableSchema?
    {
        let quotedSchema = SQLiteWriter.quoteIdentifier(schema)
        let master = try connection.prepare(
            "SELECT name, sql FROM \(quotedSchema).sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE")
        try master.bind(.text(table), at: 0)
        guard try master.step(), case .text(let name) = master.value(0), case .text(let sql) = master.value(1) else {
            return nil
        }
        var tableCharset = Charset.tableDefault
        var columnTypes: [String: DeclaredType] = [:]
        var columnCharsets: [String: Charset] = [:]
        for token in (try? Lexer.tokens(sql)) ?? [] where token.kind == .annotation {
            let words = token.text.split(separator: " ", maxSplits: 2).map(String.init)
            if words.count == 2, words[0] == "table", words[1].hasPrefix("charset=") {
                tableCharset = Charset(mysqlName: String(words[1].dropFirst(8))) ?? tableCharset
            } else if words.count == 3, words[0] == "column" {
                if words[2].hasPrefix("type=") {
                    columnTypes[words[1].lowercased()] = DeclaredType(String(words[2].dropFirst(5)))
                }
                if words[2].hasPrefix("charset=") {
                    columnCharsets[words[1].lowercased()] = Charset(mysqlName: String(words[2].dropFirst(8)))
                }
            }
        }
        let info = try connection.prepare("PRAGMA \(quotedSchema).table_xinfo(\(SQLiteWriter.quoteString(name)))")
        var columns: [Column] = []
        while try info.step() {
            guard case .text(let column) = info.value(1) else { continue }
            let declared: String = if case .text(let type) = info.value(2) { type } else { "" }
            let notNull = info.value(3) == .integer(1)
            let primaryKey = info.value(5) != .integer(0)
            columns.append(
                Column(
                    name: column, type: columnTypes[column.lowercased()] ?? DeclaredType(declared),
                    nullable: !notNull && !primaryKey, charset: columnCharsets[column.lowercased()] ?? tableCharset,
                    primaryKey: primaryKey))
        }
        return TableSchema(name: name, columns: columns, charset: tableCharset)
    }
}
