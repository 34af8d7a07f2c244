/// Token-level rewriting of MySQL expressions and names into SQLite's.
extension Session {
    /// The statement as SQLite SQL, in a writer that maps SQLite's error offsets back to the statement.
    /// A plain statement (`Statement.isPlain`) that rewriting leaves alone goes as it is: most do, every sysbench
    /// statement among them.
    func sqlite(_ statement: Statement) throws(MySQLError) -> SQLiteWriter {
        let rewritten = try rewriteIfNeeded(statement.tokens)
        if rewritten == nil, statement.isPlain { return SQLiteWriter(verbatim: statement.sql) }
        var writer = SQLiteWriter(expectedBytes: statement.sql.utf8.count + 64)
        writer.write(rewritten ?? statement.tokens)
        return writer
    }

    /// The statement's tokens as SQLite should read them.
    func rewrite(_ tokens: [Token]) throws(MySQLError) -> [Token] { try rewriteIfNeeded(tokens) ?? tokens }

    /// The statement's tokens as SQLite should read them, or nil if that is what they are. Most statements need no
    /// change (none in a sysbench INSERT), so the output is built only from the first change on.
    private func rewriteIfNeeded(_ tokens: [Token]) throws(MySQLError) -> [Token]? {
        var out: [Token]?
        /// Starts the output, at the first change, with the unchanged tokens before `index`.
        func diverge(at index: Int) {
            guard out == nil else { return }
            var prefix: [Token] = []
            prefix.reserveCapacity(tokens.count)
            prefix += tokens[..<index]
            out = prefix
        }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let next = index + 1 < tokens.count ? tokens[index + 1] : nil
            if token.kind == .variable {
                diverge(at: index)
                out!.append(try variableLiteral(token))
                index += 1
                continue
            }
            if token.kind == .word, next?.text == "(", let replaced = try function(tokens, at: index) {
                diverge(at: index)
                out! += replaced.tokens
                index = replaced.next
                continue
            }
            if token.isName, next?.text == ".", index == 0 || tokens[index - 1].text != ".", let database,
                token.text == database
            {
                diverge(at: index)
                out!.append(Self.synthesized(.word, "main", like: token))
                index += 1
                continue
            }
            if token.kind == .string, index > 0, tokens[index - 1].kind == .string {
                // MySQL concatenates adjacent string literals: 'a' 'b' is 'ab'.
                diverge(at: index)
                out![out!.count - 1].text += token.text
                out![out!.count - 1].end = token.end
                index += 1
                continue
            }
            if token.isWord("INSERT"), next?.isWord("IGNORE") == true {
                diverge(at: index)
                out! += [token, Self.synthesized(.word, "OR", like: token), next!]
                index += 2
                continue
            }
            if token.kind == .word,
                ["SQL_NO_CACHE", "SQL_CACHE", "STRAIGHT_JOIN", "HIGH_PRIORITY", "LOW_PRIORITY", "DELAYED"]
                    .contains(token.upper)
            {
                diverge(at: index)
                index += 1
                continue
            }
            if token.isWord("ON"), next?.isWord("DUPLICATE") == true {
                throw MySQLError.notSupported("INSERT ... ON DUPLICATE KEY UPDATE")
            }
            if token.isWord("FOR"), next?.isWord("UPDATE") == true {
                diverge(at: index)
                index += 2
                continue
            }
            if token.isWord("LOCK"), next?.isWord("IN") == true {
                diverge(at: index)
                index += 4  // LOCK IN SHARE MODE
                continue
            }
            out?.append(token)
            index += 1
        }
        return out
    }

    static func synthesized(_ kind: Token.Kind, _ text: String, like token: Token) -> Token {
        Token(kind: kind, text: text, start: token.start, end: token.end)
    }

    /// MySQL functions SQLite lacks or spells differently; nil to leave the call alone.
    private func function(_ tokens: [Token], at index: Int) throws(MySQLError) -> (tokens: [Token], next: Int)? {
        let name = tokens[index]
        // The cursor shares `tokens` instead of copying their rest: `VALUES(` comes here for every INSERT.
        var cursor = TokenCursor(tokens)
        cursor.position = index + 1
        guard let close = cursor.matchingParenthesis() else { return nil }
        let arguments = CreateTable.splitTopLevel(Array(tokens[(index + 2)..<close])).filter { !$0.isEmpty }
        func literal(_ value: SQLValue) -> [Token] { [Self.literalToken(value, like: name)] }
        func word(_ text: String) -> [Token] { [Self.synthesized(.word, text, like: name)] }
        switch name.upper {
        case "NOW", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "SYSDATE", "UTC_TIMESTAMP":
            return (word("CURRENT_TIMESTAMP"), close + 1)
        case "CURDATE", "CURRENT_DATE", "UTC_DATE": return (word("CURRENT_DATE"), close + 1)
        case "CURTIME", "CURRENT_TIME", "UTC_TIME": return (word("CURRENT_TIME"), close + 1)
        case "DATABASE", "SCHEMA": return (literal(database.map(SQLValue.text) ?? .null), close + 1)
        case "VERSION": return (literal(.text(SystemVariables.version)), close + 1)
        case "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER":
            return (literal(.text("\(user)@localhost")), close + 1)
        case "CONNECTION_ID": return (literal(.integer(Int64(connectionID))), close + 1)
        case "LAST_INSERT_ID" where arguments.isEmpty: return (literal(.integer(lastInsertID)), close + 1)
        case "UNIX_TIMESTAMP":
            let source = try arguments.first.map { argument throws(MySQLError) in try rewrite(argument) }
            var replaced = word("CAST") + [Self.synthesized(.symbol, "(", like: name)] + word("strftime")
            replaced += [Self.synthesized(.symbol, "(", like: name), Self.literalToken(.text("%s"), like: name)]
            replaced += [Self.synthesized(.symbol, ",", like: name)]
            replaced += source ?? literal(.text("now"))
            replaced += [Self.synthesized(.symbol, ")", like: name)] + word("AS") + word("INTEGER")
            replaced += [Self.synthesized(.symbol, ")", like: name)]
            return (replaced, close + 1)
        case "CONCAT" where !arguments.isEmpty:
            var replaced = [Self.synthesized(.symbol, "(", like: name)]
            for (position, argument) in arguments.enumerated() {
                if position > 0 { replaced.append(Self.synthesized(.word, "||", like: name)) }
                replaced.append(Self.synthesized(.symbol, "(", like: name))
                replaced += try rewrite(argument)
                replaced.append(Self.synthesized(.symbol, ")", like: name))
            }
            replaced.append(Self.synthesized(.symbol, ")", like: name))
            return (replaced, close + 1)
        case "IF": return (word("IIF") + (try rewrite(Array(tokens[(index + 1)...close]))), close + 1)
        default: return nil
        }
    }

    /// `@@name` from the system variables, `@name` from the session's user variables (NULL if unset).
    private func variableLiteral(_ token: Token) throws(MySQLError) -> Token {
        if token.text.hasPrefix("@@") {
            guard let value = systemVariable(token.text) else {
                throw MySQLError.unknownSystemVariable(SystemVariables.bareName(token.text))
            }
            return Self.literalToken(value, like: token)
        }
        return Self.literalToken(userVariables[String(token.text.dropFirst()).lowercased()] ?? .null, like: token)
    }

    static func literalToken(_ value: SQLValue, like token: Token) -> Token {
        switch value {
        case .null: synthesized(.word, "NULL", like: token)
        case .integer(let number): synthesized(.number, String(number), like: token)
        case .real(let number): synthesized(.number, "\(number)", like: token)
        case .text(let text): synthesized(.string, text, like: token)
        case .blob(let bytes):
            synthesized(
                .hexLiteral, "X'" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "'",
                like: token)
        }
    }
}

/// The select list of a SELECT, for naming result columns as MySQL does: an expression without an alias is
/// named by its text as typed (`current_timestamp()`, `COUNT(*)`).
struct SelectList {
    struct Name {
        var text: String
        /// A type MySQL gives the expression that SQLite's values cannot show (dates are text in SQLite).
        var type: (MySQLType, UInt32)?
    }

    private var items: [[Token]] = []
    private let sql: [UInt8]

    init(_ statement: Session.Statement) {
        sql = Array(statement.sql.utf8)
        let tokens = statement.tokens
        guard tokens.first?.isWord("SELECT") == true else { return }
        var depth = 0
        var current: [Token] = []
        for token in tokens.dropFirst() {
            if token.kind == .symbol, token.text == "(" { depth += 1 }
            if token.kind == .symbol, token.text == ")" { depth -= 1 }
            if depth == 0, token.kind == .word, Self.clauses.contains(token.upper) { break }
            if depth == 0, token.kind == .symbol, token.text == "," {
                items.append(current)
                current = []
                continue
            }
            if current.isEmpty, token.kind == .word,
                ["DISTINCT", "ALL", "DISTINCTROW", "SQL_NO_CACHE"].contains(token.upper)
            {
                continue
            }
            current.append(token)
        }
        if !current.isEmpty { items.append(current) }
    }

    private static let clauses: Set<String> = [
        "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "INTO", "UNION", "FOR", "LOCK", "WINDOW", "EXCEPT",
        "INTERSECT",
    ]

    /// One name per column, nil where SQLite's name is already MySQL's; nil if the list does not map one to one.
    func names(count: Int) -> [Name?]? {
        guard items.count == count, !items.contains(where: { $0.contains { $0.text == "*" } && $0.count <= 3 }) else {
            return nil
        }
        return items.map { item in
            guard let first = item.first, let last = item.last else { return nil }
            let isColumnReference =
                item.count % 2 == 1
                && item.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element.isName : $0.element.text == "." }
            if isColumnReference { return nil }
            if item.count >= 2, last.isName {
                let previous = item[item.count - 2]
                if previous.isWord("AS") || previous.text == ")" || previous.kind != .symbol { return nil }
            }
            let text = String(decoding: sql[first.start..<last.end], as: UTF8.self)
            return Name(text: text, type: Self.type(of: item))
        }
    }

    private static func type(of item: [Token]) -> (MySQLType, UInt32)? {
        guard let first = item.first, first.kind == .word else { return nil }
        switch first.upper {
        case "NOW", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "SYSDATE", "UTC_TIMESTAMP":
            return item.count <= 3 ? (.datetime, 19) : nil
        case "CURDATE", "CURRENT_DATE", "UTC_DATE": return item.count <= 3 ? (.date, 10) : nil
        default: return nil
        }
    }
}
