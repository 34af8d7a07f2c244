/// A token of MySQL-flavoured SQL, with where it came from in the statement text.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// A bare word: keyword or identifier.
        case word
        /// A `backtick` identifier; `text` is the decoded name.
        case quotedIdentifier
        /// A string literal; `text` is the decoded value.
        case string
        case number
        /// `X'..'`, `0x..` and `b'..'` literals; `text` is the original spelling.
        case hexLiteral
        /// `@name` or `@@name` (`@@session.name` included); `text` is the whole spelling.
        case variable
        case placeholder
        case symbol
        /// A `/* backtrack: ... */` annotation that the façade writes into stored DDL; `text` is its content.
        case annotation
    }

    var kind: Kind
    var text: String
    /// The token's range in the statement's UTF-8 bytes.
    var start: Int
    var end: Int

    /// Whether this is the bare word `keyword` (given in upper case), in any case; compares bytes, as it runs
    /// for every token of every statement.
    func isWord(_ keyword: String) -> Bool {
        guard kind == .word, text.utf8.count == keyword.utf8.count else { return false }
        return zip(text.utf8, keyword.utf8).allSatisfy { byte, upper in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte) == upper
        }
    }

    var upper: String { text.uppercased() }

    /// Word or quoted identifier: something that can name a table or column.
    var isName: Bool { kind == .word || kind == .quotedIdentifier }
}

/// Splits MySQL SQL into tokens (MariaDB's lexer rules with the default SQL mode: `"..."` is a string, backslash
/// escapes apply in strings, `#` and `-- ` start comments). Executable comments (`/*! ... */`, `/*M! ... */`) are
/// read as SQL, as MySQL does; other comments are dropped.
struct Lexer {
    struct Failure: Error {
        /// Byte offset of the unterminated construct.
        var offset: Int
    }

    /// A statement's tokens, and whether its text is already SQLite's.
    struct Lexed {
        var tokens: [Token]
        /// True when SQLite reads the text as these same tokens with the same meaning: no comments, no
        /// backslash escapes or other quoting SQLite spells differently, no variables, and no operator the writer
        /// translates. Then, if rewriting changes nothing, the text goes to SQLite as it is.
        var isPlain: Bool
    }

    static func tokens(_ sql: String) throws(Failure) -> [Token] { try lex(sql).tokens }

    /// Lexes the string's own UTF-8 storage in place: a sysbench INSERT is 512 KiB, and so are copies of it.
    static func lex(_ sql: String) throws(Failure) -> Lexed {
        var sql = sql
        let result = sql.withUTF8 { bytes -> Result<Lexed, Failure> in
            var lexer = Lexer(bytes)
            do throws(Failure) {
                let tokens = try lexer.run()
                return .success(Lexed(tokens: tokens, isPlain: lexer.isPlain))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var tokens: [Token] = []
    private var isPlain = true

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // About one token per 16 bytes in a multi-row INSERT; growing by doubling would copy them all again.
        tokens.reserveCapacity(bytes.count / 16 + 8)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func run() throws(Failure) -> [Token] {
        while let byte = peek() {
            let start = index
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                index += 1
            case 0x0B:
                isPlain = false  // a vertical tab is space to MySQL, not to SQLite
                index += 1
            case UInt8(ascii: "#"):
                isPlain = false
                skipLine()
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-") && (peek(2).map(Self.isSpaceOrControl) ?? true):
                isPlain = false
                skipLine()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                isPlain = false
                try comment()
            case UInt8(ascii: "*") where peek(1) == UInt8(ascii: "/"):
                isPlain = false
                index += 2  // the end of an executable comment
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                let (text, verbatim) = try quoted(byte, backslashEscapes: true)
                if !verbatim || byte == UInt8(ascii: "\"") { isPlain = false }
                emit(.string, text, start)
            case UInt8(ascii: "`"):
                isPlain = false
                let (text, _) = try quoted(byte, backslashEscapes: false)
                emit(.quotedIdentifier, text, start)
            case UInt8(ascii: "?"):
                index += 1
                emit(.placeholder, "?", start)
            case UInt8(ascii: "@"):
                variable()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                number()
            case UInt8(ascii: ".") where peek(1).map(Self.isDigit) ?? false:
                number()
            default:
                if Self.isWordByte(byte) {
                    word()
                } else {
                    symbol()
                }
            }
        }
        return tokens
    }

    private mutating func emit(_ kind: Token.Kind, _ text: String, _ start: Int) {
        tokens.append(Token(kind: kind, text: text, start: start, end: index))
    }

    private mutating func skipLine() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { index += 1 }
    }

    /// `/* ... */` is dropped; `/*! ... */`, `/*!50100 ... */` and `/*M! ... */` are read as SQL;
    /// `/* backtrack: ... */` becomes an annotation token.
    private mutating func comment() throws(Failure) {
        let start = index
        index += 2
        if peek() == UInt8(ascii: "!") || (peek() == UInt8(ascii: "M") && peek(1) == UInt8(ascii: "!")) {
            index += peek() == UInt8(ascii: "M") ? 2 : 1
            while let byte = peek(), Self.isDigit(byte) { index += 1 }
            return
        }
        let bodyStart = index
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) {
            index += 1
        }
        guard index + 1 < bytes.count else { throw Failure(offset: start) }
        let body = String(decoding: bytes[bodyStart..<index], as: UTF8.self).trimmingSpaces
        index += 2
        if body.hasPrefix(Self.annotationPrefix) {
            emit(.annotation, String(body.dropFirst(Self.annotationPrefix.count)).trimmingSpaces, start)
        }
    }

    static let annotationPrefix = "backtrack:"

    /// The literal's value, and whether its spelling is that value between quotes (no escape of any kind).
    private mutating func quoted(_ quote: UInt8, backslashEscapes: Bool) throws(Failure) -> (String, Bool) {
        let start = index
        index += 1
        // Most literals (every one in a sysbench INSERT) have no escape: take their bytes in one piece.
        var end = index
        while end < bytes.count, bytes[end] != quote, !(backslashEscapes && bytes[end] == UInt8(ascii: "\\")) {
            end += 1
        }
        if end < bytes.count, bytes[end] == quote, end + 1 == bytes.count || bytes[end + 1] != quote {
            let value = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 1
            return (value, true)
        }
        var value: [UInt8] = []
        while true {
            guard let byte = peek() else { throw Failure(offset: start) }
            index += 1
            if byte == quote {
                if peek() == quote {
                    value.append(quote)
                    index += 1
                    continue
                }
                break
            }
            if byte == UInt8(ascii: "\\"), backslashEscapes, let next = peek() {
                index += 1
                switch next {
                case UInt8(ascii: "0"): value.append(0)
                case UInt8(ascii: "b"): value.append(8)
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "r"): value.append(13)
                case UInt8(ascii: "t"): value.append(9)
                case UInt8(ascii: "Z"): value.append(26)
                case UInt8(ascii: "%"), UInt8(ascii: "_"): value.append(contentsOf: [UInt8(ascii: "\\"), next])
                default: value.append(next)
                }
                continue
            }
            value.append(byte)
        }
        return (String(decoding: value, as: UTF8.self), false)
    }

    private mutating func variable() {
        isPlain = false
        let start = index
        index += 1
        if peek() == UInt8(ascii: "@") { index += 1 }
        while let byte = peek(), Self.isWordByte(byte) || byte == UInt8(ascii: ".") { index += 1 }
        emit(.variable, String(decoding: bytes[start..<index], as: UTF8.self), start)
    }

    private mutating func number() {
        let start = index
        if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            index += 2
            while let byte = peek(), Self.isHexDigit(byte) { index += 1 }
            isPlain = false
            emit(.hexLiteral, String(decoding: bytes[start..<index], as: UTF8.self), start)
            return
        }
        while let byte = peek(), Self.isDigit(byte) || byte == UInt8(ascii: ".") { index += 1 }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E"),
            let next = peek(1),
            Self.isDigit(next)
                || ((next == UInt8(ascii: "+") || next == UInt8(ascii: "-")) && (peek(2).map(Self.isDigit) ?? false))
        {
            index += 2
            while let byte = peek(), Self.isDigit(byte) { index += 1 }
        }
        // A number running into letters is a word (MySQL allows identifiers like 1abc).
        if let byte = peek(), Self.isWordByte(byte) {
            while let byte = peek(), Self.isWordByte(byte) { index += 1 }
            emit(.word, String(decoding: bytes[start..<index], as: UTF8.self), start)
            return
        }
        emit(.number, String(decoding: bytes[start..<index], as: UTF8.self), start)
    }

    private mutating func word() {
        let start = index
        let first = bytes[index]
        if (first == UInt8(ascii: "x") || first == UInt8(ascii: "X") || first == UInt8(ascii: "b")
            || first == UInt8(ascii: "B")), peek(1) == UInt8(ascii: "'")
        {
            index += 2
            while let byte = peek(), byte != UInt8(ascii: "'") { index += 1 }
            index = min(index + 1, bytes.count)
            isPlain = false
            emit(.hexLiteral, String(decoding: bytes[start..<index], as: UTF8.self), start)
            return
        }
        while let byte = peek(), Self.isWordByte(byte) { index += 1 }
        emit(.word, String(decoding: bytes[start..<index], as: UTF8.self), start)
    }

    private static let multiByteSymbols: [[UInt8]] = ["<=>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>"].map {
        Array($0.utf8)
    }

    /// Each ASCII byte as a one-byte string: `(`, `,` and `)` are most of a multi-row INSERT's tokens.
    private static let asciiStrings: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    private mutating func symbol() {
        let start = index
        let byte = bytes[index]
        if byte < 0x80, !Self.multiByteSymbols.contains(where: { $0[0] == byte }) {
            // `--` with no space after is two minus signs to MySQL and a comment to SQLite.
            if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") { isPlain = false }
            index += 1
            emit(.symbol, Self.asciiStrings[Int(byte)], start)
            return
        }
        for candidate in Self.multiByteSymbols
        where candidate[0] == bytes[index] && index + candidate.count <= bytes.count
            && bytes[index..<index + candidate.count].elementsEqual(candidate)
        {
            index += candidate.count
            let text = String(decoding: candidate, as: UTF8.self)
            if SQLiteWriter.render(Token(kind: .symbol, text: text, start: start, end: index)) != text {
                isPlain = false
            }
            emit(.symbol, text, start)
            return
        }
        index += 1
        emit(.symbol, String(decoding: bytes[start..<index], as: UTF8.self), start)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    static func isSpaceOrControl(_ byte: UInt8) -> Bool { byte <= 0x20 }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
