/// Rewrites MySQL's CREATE TABLE and CREATE INDEX for SQLite (mysql-protocol.md §8).
///
/// - `AUTO_INCREMENT` is dropped; an auto-increment column becomes `INTEGER`, SQLite's rowid alias, so that
///   omitted ids are assigned as MySQL would (its MySQL type is kept in an annotation).
/// - Column `CHARACTER SET`, `COLLATE`, `COMMENT` and `ON UPDATE` are dropped; table options (`ENGINE`,
///   `DEFAULT CHARSET`, `ROW_FORMAT`, ...) are dropped. Charsets are kept as annotations, because CHECKSUM TABLE
///   depends on them.
/// - Inline `KEY`/`INDEX`/`UNIQUE KEY` definitions become separate CREATE INDEX statements.
/// - Index names are per table in MySQL and per database in SQLite, so an index is stored as `table.name`.
///
/// Annotations are comments inside the column list, `/* backtrack: ... */`, which SQLite keeps in
/// `sqlite_master.sql`, so they are versioned with the table and survive backtracks.
struct CreateTable {
    var sql: String
    var indexes: [String]
    var table: String
    var ifNotExists: Bool

    init(_ tokens: [Token]) throws(MySQLError) {
        var cursor = TokenCursor(tokens)
        guard cursor.consume("CREATE") else { throw Self.syntax(tokens, at: 0) }
        let temporary = cursor.consume("TEMPORARY")
        guard cursor.consume("TABLE") else { throw Self.syntax(tokens, at: cursor.position) }
        ifNotExists = cursor.consume("IF", "NOT", "EXISTS")
        guard let name = cursor.next(), name.isName else { throw Self.syntax(tokens, at: cursor.position) }
        table = name.text
        if cursor.consume("LIKE") { throw MySQLError.notSupported("CREATE TABLE ... LIKE") }
        guard cursor.peek?.text == "(", let close = cursor.matchingParenthesis() else {
            throw Self.syntax(tokens, at: cursor.position)
        }
        let body = Array(tokens[(cursor.position + 1)..<close])
        var writer = SQLiteWriter()
        writer.write(raw: "CREATE" + (temporary ? " TEMP" : "") + " TABLE" + (ifNotExists ? " IF NOT EXISTS" : ""))
        writer.write(name)
        writer.write(raw: "(")
        var definitions: [String] = []
        var indexes: [String] = []
        for definition in Self.splitTopLevel(body) where !definition.isEmpty {
            if let index = try Self.index(definition, table: table) {
                indexes.append(index)
            } else if let column = try Self.definition(definition) {
                definitions.append(column)
            }
        }
        var rest = TokenCursor(Array(tokens[(close + 1)...]))
        if let charset = Self.tableOptions(&rest), !definitions.isEmpty {
            // Attached to the last definition: a comment after a comma would leave SQLite a dangling comma.
            definitions[definitions.count - 1] += " /* \(Lexer.annotationPrefix) table charset=\(charset.rawValue) */"
        }
        writer.write(raw: definitions.joined(separator: ", "))
        writer.write(raw: ")")
        writer.write(rest.remaining)
        sql = writer.text
        self.indexes = indexes
    }

    /// CREATE [UNIQUE] INDEX name ON table (columns): the name becomes `table.name`; prefix lengths and
    /// `USING BTREE` go.
    static func createIndex(_ tokens: [Token]) throws(MySQLError) -> String {
        var cursor = TokenCursor(tokens)
        _ = cursor.consume("CREATE")
        let unique = cursor.consume("UNIQUE")
        _ = cursor.consume("FULLTEXT") || cursor.consume("SPATIAL")
        guard cursor.consume("INDEX") else { throw syntax(tokens, at: cursor.position) }
        let ifNotExists = cursor.consume("IF", "NOT", "EXISTS")
        guard let name = cursor.next(), name.isName, cursor.consume("ON"), let table = cursor.next(), table.isName,
            cursor.peek?.text == "(", let close = cursor.matchingParenthesis()
        else { throw syntax(tokens, at: cursor.position) }
        let columns = indexColumns(Array(tokens[(cursor.position + 1)..<close]))
        return "CREATE \(unique ? "UNIQUE " : "")INDEX \(ifNotExists ? "IF NOT EXISTS " : "")"
            + "\(SQLiteWriter.quoteIdentifier(table.text + "." + name.text)) ON "
            + "\(SQLiteWriter.quoteIdentifier(table.text)) (\(columns))"
    }

    /// A KEY/INDEX/UNIQUE definition inside CREATE TABLE, as a CREATE INDEX statement; nil for anything else.
    private static func index(_ definition: [Token], table: String) throws(MySQLError) -> String? {
        var cursor = TokenCursor(definition)
        if cursor.consume("CONSTRAINT") {
            if let next = cursor.peek, next.isName, !next.isWord("UNIQUE") { _ = cursor.next() }
        }
        let unique = cursor.consume("UNIQUE")
        let keyword = cursor.consume("KEY") || cursor.consume("INDEX")
        if !unique && !keyword {
            if cursor.consume("FULLTEXT") || cursor.consume("SPATIAL") { return "" }
            return nil
        }
        var name: String?
        if let next = cursor.peek, next.isName, !next.isWord("USING") {
            name = next.text
            _ = cursor.next()
        }
        if cursor.consume("USING") { _ = cursor.next() }
        guard cursor.peek?.text == "(", let close = cursor.matchingParenthesis() else {
            throw syntax(definition, at: cursor.position)
        }
        let columnTokens = Array(definition[(cursor.position + 1)..<close])
        let columns = indexColumns(columnTokens)
        let indexName = name ?? columnTokens.first { $0.isName }?.text ?? "key"
        return "CREATE \(unique ? "UNIQUE " : "")INDEX \(SQLiteWriter.quoteIdentifier(table + "." + indexName)) ON "
            + "\(SQLiteWriter.quoteIdentifier(table)) (\(columns))"
    }

    /// Index columns without prefix lengths: `c(10) DESC` becomes `"c" DESC`.
    private static func indexColumns(_ tokens: [Token]) -> String {
        splitTopLevel(tokens).map { part in
            var text: [String] = []
            var depth = 0
            for token in part {
                if token.text == "(" {
                    depth += 1
                } else if token.text == ")" {
                    depth -= 1
                } else if depth == 0 {
                    text.append(SQLiteWriter.render(token))
                }
            }
            return text.joined(separator: " ")
        }.joined(separator: ", ")
    }

    /// A column or table-constraint definition, rewritten; nil to drop it.
    private static func definition(_ definition: [Token]) throws(MySQLError) -> String? {
        guard let first = definition.first else { return nil }
        if ["PRIMARY", "CONSTRAINT", "FOREIGN", "CHECK"].contains(first.upper), first.kind == .word {
            var writer = SQLiteWriter()
            var skip = false
            for token in definition {
                if token.isWord("USING") {
                    skip = true
                    continue
                }
                if skip {
                    skip = false
                    continue
                }
                writer.write(token)
            }
            return writer.text
        }
        return try column(definition)
    }

    private static func column(_ tokens: [Token]) throws(MySQLError) -> String {
        var cursor = TokenCursor(tokens)
        let name = cursor.next()!
        var typeTokens: [Token] = []
        if let type = cursor.next() { typeTokens.append(type) }
        if cursor.peek?.text == "(", let close = cursor.matchingParenthesis() {
            typeTokens += tokens[cursor.position...close]
            cursor.position = close + 1
        }
        while let word = cursor.peek, ["UNSIGNED", "SIGNED", "ZEROFILL", "PRECISION", "VARYING"].contains(word.upper) {
            typeTokens.append(word)
            _ = cursor.next()
        }
        var attributes = SQLiteWriter()
        var autoIncrement = false
        var charset: Charset?
        while let token = cursor.next() {
            switch token.upper {
            case "AUTO_INCREMENT" where token.kind == .word:
                autoIncrement = true
            case "CHARACTER" where cursor.consume("SET"), "CHARSET" where token.kind == .word:
                if let value = cursor.next() {
                    guard let parsed = Charset(mysqlName: value.text) else { throw unknownCharset(value.text) }
                    charset = parsed
                }
            case "COLLATE" where token.kind == .word, "COMMENT" where token.kind == .word:
                _ = cursor.next()
            case "ON" where cursor.consume("UPDATE"):
                _ = cursor.next()
                if cursor.peek?.text == "(", let close = cursor.matchingParenthesis() { cursor.position = close + 1 }
            case "DEFAULT" where token.kind == .word:
                attributes.write(token)
                if let value = cursor.peek,
                    ["CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"].contains(value.upper)
                {
                    _ = cursor.next()
                    if cursor.peek?.text == "(", let close = cursor.matchingParenthesis() {
                        cursor.position = close + 1
                    }
                    attributes.write(raw: "CURRENT_TIMESTAMP")
                }
            default:
                attributes.write(token)
            }
        }
        let mysqlType = typeTokens.map(\.text).joined(separator: " ")
        var text = SQLiteWriter.render(name) + " "
        var notes: [String] = []
        if autoIncrement && !(typeTokens.count == 1 && typeTokens[0].isWord("INTEGER")) {
            text += "INTEGER "
            notes.append("column \(name.text) type=\(mysqlType)")
        } else {
            var typeWriter = SQLiteWriter()
            typeWriter.write(typeTokens)
            text += typeWriter.text
        }
        if let charset { notes.append("column \(name.text) charset=\(charset.rawValue)") }
        text += attributes.text
        for note in notes { text += "/* \(Lexer.annotationPrefix) \(note) */ " }
        return text
    }

    /// Consumes MySQL table options after the column list; returns the declared charset.
    private static func tableOptions(_ cursor: inout TokenCursor) -> Charset? {
        var charset: Charset?
        while let token = cursor.peek, token.kind == .word || token.text == "," || token.text == "=" {
            if token.isWord("AS") || token.isWord("SELECT") || token.isWord("IGNORE") || token.isWord("REPLACE") {
                break
            }
            _ = cursor.next()
            if token.isWord("CHARSET") || (token.isWord("CHARACTER") && cursor.consume("SET")) {
                _ = cursor.consume("=")
                if let value = cursor.next() { charset = Charset(mysqlName: value.text) ?? charset }
                continue
            }
            if token.isWord("DEFAULT") || token.text == "," || token.isWord("PARTITION") { continue }
            _ = cursor.consume("=")
            if let value = cursor.peek, value.kind != .word || !Self.optionNames.contains(value.upper) {
                _ = cursor.next()
            }
        }
        return charset
    }

    private static let optionNames: Set<String> = [
        "ENGINE", "CHARSET", "CHARACTER", "COLLATE", "DEFAULT", "AUTO_INCREMENT", "COMMENT", "ROW_FORMAT",
        "KEY_BLOCK_SIZE", "STATS_PERSISTENT", "PACK_KEYS", "CHECKSUM", "MAX_ROWS", "MIN_ROWS", "AVG_ROW_LENGTH",
    ]

    static func unknownCharset(_ name: String) -> MySQLError {
        MySQLError(code: 1115, sqlState: "42000", message: "Unknown character set: '\(name)'")
    }

    /// Splits at commas outside parentheses.
    static func splitTopLevel(_ tokens: [Token]) -> [[Token]] {
        var parts: [[Token]] = [[]]
        var depth = 0
        for token in tokens {
            if token.kind == .symbol {
                if token.text == "(" { depth += 1 }
                if token.text == ")" { depth -= 1 }
                if token.text == ",", depth == 0 {
                    parts.append([])
                    continue
                }
            }
            parts[parts.count - 1].append(token)
        }
        return parts
    }

    static func syntax(_ tokens: [Token], at index: Int) -> MySQLError {
        .syntax(near: tokens[min(index, tokens.count - 1)...].map(\.text).joined(separator: " "), line: 1)
    }
}

/// Walks a token array, matching keywords.
struct TokenCursor {
    let tokens: [Token]
    var position = 0

    init(_ tokens: [Token]) { self.tokens = tokens }

    var peek: Token? { position < tokens.count ? tokens[position] : nil }
    var remaining: ArraySlice<Token> { tokens[min(position, tokens.count)...] }

    mutating func next() -> Token? {
        defer { position += 1 }
        return peek
    }

    /// Consumes the keywords (or symbols) in order if they all match.
    mutating func consume(_ words: String...) -> Bool {
        guard position + words.count <= tokens.count else { return false }
        for (offset, word) in words.enumerated() {
            let token = tokens[position + offset]
            guard token.isWord(word) || (token.kind == .symbol && token.text == word) else { return false }
        }
        position += words.count
        return true
    }

    /// The index of the `)` matching the `(` at the current position.
    func matchingParenthesis() -> Int? {
        var depth = 0
        for index in position..<tokens.count where tokens[index].kind == .symbol {
            if tokens[index].text == "(" { depth += 1 }
            if tokens[index].text == ")" {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}
