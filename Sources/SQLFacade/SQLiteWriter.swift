/// Writes SQLite SQL from MySQL tokens, remembering where each token came from so that SQLite's error offsets
/// can be mapped back to the statement the client sent.
struct SQLiteWriter {
    private(set) var text = ""
    /// (offset in `text`, offset in the original statement) for every token written.
    private var marks: [(output: Int, original: Int)] = []

    mutating func write(_ token: Token) {
        marks.append((text.utf8.count, token.start))
        text += Self.render(token)
        text += " "
    }

    mutating func write<S: Sequence>(_ tokens: S) where S.Element == Token {
        for token in tokens { write(token) }
    }

    /// Writes text that has no counterpart in the original statement.
    mutating func write(raw: String) {
        text += raw
        text += " "
    }

    /// The original offset of the token at or before `offset` in the written text.
    func originalOffset(of offset: Int) -> Int? {
        marks.last { $0.output <= offset }?.original
    }

    static func render(_ token: Token) -> String {
        switch token.kind {
        case .word, .number, .variable: token.text
        case .quotedIdentifier: quoteIdentifier(token.text)
        case .string: quoteString(token.text)
        case .placeholder: "?"
        case .annotation: "/* \(Lexer.annotationPrefix) \(token.text) */"
        case .hexLiteral: hexLiteral(token.text)
        case .symbol:
            switch token.text {
            case "&&": "AND"
            case "||": "OR"  // MySQL's default SQL mode reads || as OR
            case "<=>": "IS"
            default: token.text
            }
        }
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func quoteString(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `0xABC` and `x'ABC'` become SQLite blobs; `b'101'` becomes its integer value.
    private static func hexLiteral(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            let digits = String(lower.dropFirst(2))
            return "X'" + (digits.count % 2 == 1 ? "0" : "") + digits + "'"
        }
        if lower.hasPrefix("b'") {
            return String(UInt64(lower.dropFirst(2).dropLast(), radix: 2) ?? 0)
        }
        return "X" + text.dropFirst()
    }
}
