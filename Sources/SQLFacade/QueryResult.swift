import SQLiteVFS

/// A value in a result row. SQLite's storage classes; the column's MySQL type says how to present it.
public typealias SQLValue = SQLiteValue

/// MySQL column types (protocol `enum_field_types`).
public enum MySQLType: UInt8, Sendable {
    case decimal = 0, tiny = 1, short = 2, long = 3, float = 4, double = 5, null = 6, timestamp = 7
    case longlong = 8, int24 = 9, date = 10, time = 11, datetime = 12, year = 13, varchar = 15, bit = 16
    case newDecimal = 246, blob = 252, varString = 253, string = 254

    /// Numeric types are right-aligned by the `mysql` client.
    public var isNumeric: Bool {
        switch self {
        case .decimal, .tiny, .short, .long, .float, .double, .longlong, .int24, .year, .newDecimal: true
        default: false
        }
    }
}

/// Column flags (protocol `*_FLAG`).
public struct ColumnFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let notNull = ColumnFlags(rawValue: 1)
    public static let primaryKey = ColumnFlags(rawValue: 2)
    public static let uniqueKey = ColumnFlags(rawValue: 4)
    public static let multipleKey = ColumnFlags(rawValue: 8)
    public static let blob = ColumnFlags(rawValue: 16)
    public static let unsigned = ColumnFlags(rawValue: 32)
    public static let binary = ColumnFlags(rawValue: 128)
    public static let autoIncrement = ColumnFlags(rawValue: 512)
    public static let noDefaultValue = ColumnFlags(rawValue: 4096)
    public static let partKey = ColumnFlags(rawValue: 16384)
}

/// A result column: its name and what a MySQL client needs to present it.
public struct Column: Hashable, Sendable {
    public var name: String
    public var originalName: String
    public var table: String
    public var originalTable: String
    public var schema: String
    public var type: MySQLType
    /// The display length in bytes (characters × the client charset's maximum bytes per character for strings).
    public var length: UInt32
    public var flags: ColumnFlags
    public var decimals: UInt8
    /// Character set id: 63 (binary) for numbers and dates, the client's for strings.
    public var charset: UInt16

    public init(
        name: String, type: MySQLType, length: UInt32, flags: ColumnFlags = [], decimals: UInt8 = 0,
        charset: UInt16 = 63, table: String = "", originalName: String? = nil, originalTable: String? = nil,
        schema: String = ""
    ) {
        self.name = name
        self.originalName = originalName ?? name
        self.table = table
        self.originalTable = originalTable ?? table
        self.schema = schema
        self.type = type
        self.length = length
        self.flags = flags
        self.decimals = decimals
        self.charset = charset
    }
}

/// What a statement returned: a result set, or the counts of an OK.
public struct QueryResult: Sendable {
    public var columns: [Column]
    public var rows: [[SQLValue]]
    public var affectedRows: Int
    public var lastInsertID: Int64
    /// Warnings the statement left (see `Session.warnings`).
    public var warningCount: Int
    /// True when the statement returns a result set (even an empty one).
    public var hasResultSet: Bool { !columns.isEmpty }

    public init(
        columns: [Column] = [], rows: [[SQLValue]] = [], affectedRows: Int = 0, lastInsertID: Int64 = 0,
        warningCount: Int = 0
    ) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.lastInsertID = lastInsertID
        self.warningCount = warningCount
    }

    /// The rows as the `mysql` client shows them: text, or nil for NULL.
    public var textRows: [[String?]] { rows.map { $0.map(\.mysqlText) } }
}

extension SQLValue {
    /// The text protocol's rendering of a value; nil for NULL.
    public var mysqlText: String? {
        switch self {
        case .null: nil
        case .integer(let value): String(value)
        case .real(let value): MySQLFormat.double(value)
        case .text(let value): value
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }
}

enum MySQLFormat {
    /// MySQL prints doubles in their shortest round-trip form, with an exponent only for very large or small
    /// magnitudes (`1e20`, not `1e+20`).
    static func double(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description.replacingOccurrences(of: "e+", with: "e")
    }
}

extension String {
    /// Every occurrence of `target` replaced, scanning UTF-8 bytes (valid because UTF-8 is self-synchronising).
    /// The common case (no occurrence) returns the string itself after one byte scan, without allocating.
    package func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard let first = target.utf8.first,
            utf8.withContiguousStorageIfAvailable({ $0.contains(first) }) ?? utf8.contains(first)
        else { return self }
        let needle = Array(target.utf8)
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var index = 0
        while index < bytes.count {
            if bytes[index] == first, index + needle.count <= bytes.count,
                bytes[index..<index + needle.count].elementsEqual(needle)
            {
                out.append(contentsOf: replacement.utf8)
                index += needle.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
