/// Writes SQLite SQL from MySQL tokens, remembering where each token came from so that SQLite's error offsets
/// can be mapped back to the statement the client sent.
///
/// It writes bytes: a sysbench INSERT is 512 KiB of about 30,000 tokens, and appending each to a `String` made
/// the writer 9% of `serve`'s time under `sysbench prepare` (perf; Docs/PERFORMANCE.md).
struct SQLiteWriter {
    private var bytes: [UInt8] = []
    /// (offset in the written text, offset in the original statement) for every token written.
    private var marks: [(output: Int, original: Int)] = []
    /// The statement itself, when it is SQLite's text already: offsets map to themselves.
    private var verbatim: String?

    /// A writer for a statement of about `expectedBytes`, so that its buffer is not regrown while writing.
    init(expectedBytes: Int = 0) {
        bytes.reserveCapacity(expectedBytes)
    }

    /// The SQL of a statement SQLite reads as it is (`Lexer.Lexed.isPlain`).
    init(verbatim sql: String) {
        verbatim = sql
    }

    /// The SQLite SQL written so far.
    var text: String { verbatim ?? String(decoding: bytes, as: UTF8.self) }

    mutating func write(_ token: Token) {
        marks.append((bytes.count, token.start))
        switch token.kind {
        case .word, .number, .placeholder:
            append(token.text)
        case .string:
            Self.appendQuoted(token.text, quote: UInt8(ascii: "'"), to: &bytes)
        case .quotedIdentifier:
            Self.appendQuoted(token.text, quote: UInt8(ascii: "\""), to: &bytes)
        default:
            append(Self.render(token))
        }
        bytes.append(UInt8(ascii: " "))
    }

    mutating func write<S: Sequence>(_ tokens: S) where S.Element == Token {
        for token in tokens { write(token) }
    }

    /// Writes text that has no counterpart in the original statement.
    mutating func write(raw: String) {
        append(raw)
        bytes.append(UInt8(ascii: " "))
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `text` between `quote`s, each `quote` inside doubled: SQLite's spelling of a string or a name.
    private static func appendQuoted(_ text: String, quote: UInt8, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { value in
            bytes.append(quote)
            if value.contains(quote) {
                for byte in value {
                    if byte == quote { bytes.append(quote) }
                    bytes.append(byte)
                }
            } else {
                bytes.append(contentsOf: value)
            }
            bytes.append(quote)
        }
    }

    /// The original offset of the token at or before `offset` in the written text.
    func originalOffset(of offset: Int) -> Int? {
        if verbatim != nil { return offset }
        return marks.last { $0.output <= offset }?.original
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

    static func quoteIdentifier(_ name: String) -> String { quoted(name, UInt8(ascii: "\"")) }

    static func quoteString(_ value: String) -> String { quoted(value, UInt8(ascii: "'")) }

    private static func quoted(_ text: String, _ quote: UInt8) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, quote: quote, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
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
