/// MySQL character sets a table can declare. Only the byte width matters here: CHAR columns pad to
/// characters × the charset's maximum bytes per character, and text is encoded in it for CHECKSUM TABLE.
public enum Charset: String, Sendable {
    case latin1
    case ascii
    case utf8mb3
    case utf8mb4
    case binary

    /// Aurora MySQL 3 (MySQL 8.0) creates tables in utf8mb4 by default.
    public static let tableDefault = Charset.utf8mb4

    init?(mysqlName: String) {
        switch mysqlName.lowercased() {
        case "latin1": self = .latin1
        case "ascii": self = .ascii
        case "utf8", "utf8mb3": self = .utf8mb3
        case "utf8mb4": self = .utf8mb4
        case "binary": self = .binary
        default: return nil
        }
    }

    var maxBytesPerCharacter: Int {
        switch self {
        case .latin1, .ascii, .binary: 1
        case .utf8mb3: 3
        case .utf8mb4: 4
        }
    }

    /// The protocol's collation id for a client charset (mysql-protocol.md §3.2).
    static func maxBytes(clientCollation id: UInt16) -> Int {
        switch id {
        case 8, 47, 48, 11, 65, 63: 1
        case 33, 83, 192...215: 3
        default: 4
        }
    }
}

/// A column type as declared in CREATE TABLE, e.g. `INT UNSIGNED`, `CHAR(120)`, `DECIMAL(10,2)`.
struct DeclaredType: Hashable, Sendable {
    var name: String
    var arguments: [Int]
    var isUnsigned: Bool

    init?(_ text: String) {
        guard let tokens = try? Lexer.tokens(text), let first = tokens.first, first.kind == .word else { return nil }
        name = first.upper
        arguments = tokens.filter { $0.kind == .number }.compactMap { Int($0.text) }
        isUnsigned = tokens.contains { $0.isWord("UNSIGNED") }
        if name == "CHARACTER", tokens.count > 1, tokens[1].isWord("VARYING") { name = "VARCHAR" }
    }

    /// Bytes of a fixed-size integer column, or nil if this is not an integer type.
    var integerBytes: Int? {
        switch name {
        case "TINYINT", "BOOL", "BOOLEAN": 1
        case "SMALLINT": 2
        case "MEDIUMINT": 3
        case "INT", "INTEGER": 4
        case "BIGINT": 8
        default: nil
        }
    }

    var isVariableLength: Bool {
        [
            "VARCHAR", "VARBINARY", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "BLOB", "TINYBLOB", "MEDIUMBLOB",
            "LONGBLOB", "JSON",
        ].contains(name)
    }

    /// The protocol type and display length in characters (before scaling strings by the client charset).
    var protocolType: (MySQLType, UInt32, decimals: UInt8) {
        let first = UInt32(arguments.first ?? 0)
        switch name {
        case "TINYINT", "BOOL", "BOOLEAN": return (.tiny, 4, 0)
        case "SMALLINT": return (.short, 6, 0)
        case "MEDIUMINT": return (.int24, 9, 0)
        case "INT", "INTEGER": return (.long, 11, 0)
        case "BIGINT": return (.longlong, 20, 0)
        case "FLOAT": return (.float, 12, 31)
        case "DOUBLE", "REAL": return (.double, 22, 31)
        case "DECIMAL", "NUMERIC", "DEC":
            let scale = UInt8(arguments.count > 1 ? arguments[1] : 0)
            return (.newDecimal, (first == 0 ? 10 : first) + 2, scale)
        case "DATE": return (.date, 10, 0)
        case "DATETIME": return (.datetime, 19, 0)
        case "TIMESTAMP": return (.timestamp, 19, 0)
        case "TIME": return (.time, 10, 0)
        case "YEAR": return (.year, 4, 0)
        case "CHAR", "BINARY": return (.string, first == 0 ? 1 : first, 0)
        case "VARCHAR", "VARBINARY": return (.varString, first, 0)
        case "TINYTEXT", "TINYBLOB": return (.blob, 255, 0)
        case "TEXT", "BLOB": return (.blob, 65_535, 0)
        case "MEDIUMTEXT", "MEDIUMBLOB": return (.blob, 16_777_215, 0)
        case "LONGTEXT", "LONGBLOB", "JSON": return (.blob, 4_294_967_295, 0)
        default: return (.varString, 255, 0)
        }
    }

    var isTextual: Bool {
        ["CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON", "ENUM", "SET"].contains(name)
    }
}
