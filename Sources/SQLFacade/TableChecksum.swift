import CSQLite
import SQLiteVFS

/// CHECKSUM TABLE exactly as MariaDB computes it (mysql-protocol.md §9; `handler::calculate_checksum`).
///
/// For every row: a CRC-32 over the record's null-bit bytes (unused bits set, and bit 0 set unless the table has
/// variable-length columns), then over each non-NULL column's image: the value bytes for VARCHAR/TEXT/BLOB, the
/// fixed-size in-record image otherwise (little-endian integers, space-padded CHAR of length × charset width,
/// IEEE doubles, MariaDB's packed DATE and DATETIME, binary DECIMAL). The table checksum is the sum of the row
/// CRCs modulo 2^32. Vectors checked against MariaDB are in Tests/SQLFacadeTests/Resources.
struct TableChecksum {
    enum Image {
        case integer(bytes: Int)
        case char(bytes: Int)
        case variable
        case double
        case float
        case date
        case datetime
        case decimal(precision: Int, scale: Int)
    }

    struct Part {
        var image: Image
        var nullable: Bool
        var charset: Charset
    }

    let parts: [Part]
    let nullBytes: Int
    let packed: Bool
    let table: TableSchema

    init(_ table: TableSchema) throws(MySQLError) {
        self.table = table
        var parts: [Part] = []
        for column in table.columns {
            guard let type = column.type, let image = Self.image(for: type, charset: column.charset) else {
                throw MySQLError.notSupported(
                    "CHECKSUM TABLE on column '\(column.name)' of type \(column.type?.name ?? "?")")
            }
            parts.append(Part(image: image, nullable: column.nullable, charset: column.charset))
        }
        self.parts = parts
        packed = table.columns.contains { $0.type?.isVariableLength ?? false }
        nullBytes = (parts.filter(\.nullable).count + (packed ? 0 : 1) + 7) / 8
    }

    private static func image(for type: DeclaredType, charset: Charset) -> Image? {
        if let bytes = type.integerBytes { return .integer(bytes: bytes) }
        if type.isVariableLength { return .variable }
        switch type.name {
        case "CHAR", "CHARACTER":
            return .char(bytes: max(1, type.arguments.first ?? 1) * charset.maxBytesPerCharacter)
        case "BINARY": return .char(bytes: max(1, type.arguments.first ?? 1))
        case "DOUBLE", "REAL": return .double
        case "FLOAT": return .float
        case "DATE": return .date
        case "DATETIME": return type.arguments.isEmpty || type.arguments[0] == 0 ? .datetime : nil
        case "DECIMAL", "NUMERIC", "DEC":
            let precision = type.arguments.first ?? 10
            let scale = type.arguments.count > 1 ? type.arguments[1] : 0
            // Values are exact while they fit SQLite's numbers: 15 significant digits for REAL, 18 for INTEGER.
            return precision <= 65 && scale <= 18 ? .decimal(precision: precision, scale: scale) : nil
        default: return nil
        }
    }

    /// Scans the table through `connection` (at the head or pinned) and returns MariaDB's checksum.
    func compute(_ connection: SQLiteConnection, schema: String) throws(SQLiteError) -> UInt32 {
        let columns = table.columns.map { SQLiteWriter.quoteIdentifier($0.name) }.joined(separator: ", ")
        let statement = try connection.prepare(
            "SELECT \(columns.isEmpty ? "1" : columns) FROM \(SQLiteWriter.quoteIdentifier(schema))."
                + SQLiteWriter.quoteIdentifier(table.name))
        var total: UInt32 = 0
        var scratch: [UInt8] = []
        var nullBits = [UInt8](repeating: 0, count: nullBytes)
        while try statement.step() {
            var crc: UInt32 = 0
            if nullBytes > 0 {
                for index in nullBits.indices { nullBits[index] = 0 }
                var bit = packed ? 0 : 1
                if !packed { nullBits[0] = 1 }
                for (index, part) in parts.enumerated() where part.nullable {
                    if statement.storageClass(index) == SQLITE_NULL { nullBits[bit / 8] |= 1 << UInt8(bit % 8) }
                    bit += 1
                }
                while bit < nullBytes * 8 {
                    nullBits[bit / 8] |= 1 << UInt8(bit % 8)
                    bit += 1
                }
                crc = CRC32.update(crc, nullBits)
            }
            for (index, part) in parts.enumerated() where statement.storageClass(index) != SQLITE_NULL {
                crc = Self.update(crc, part, statement, index, &scratch)
            }
            total &+= crc
        }
        return total
    }

    private static func update(
        _ crc: UInt32, _ part: Part, _ row: SQLiteStatement, _ index: Int, _ scratch: inout [UInt8]
    ) -> UInt32 {
        switch part.image {
        case .integer(let bytes):
            return littleEndian(crc, UInt64(bitPattern: integerValue(row, index)), bytes: bytes)
        case .double:
            return littleEndian(crc, row.double(index).bitPattern, bytes: 8)
        case .float:
            return littleEndian(crc, UInt64(Float(row.double(index)).bitPattern), bytes: 4)
        case .variable:
            return text(crc, row, index, charset: part.charset, &scratch).crc
        case .char(let bytes):
            let (updated, written) = text(crc, row, index, charset: part.charset, &scratch, limit: bytes)
            return CRC32.updateSpaces(updated, count: bytes - written)
        case .date:
            let date = row.withBytes(index) { DateParts($0) }
            let packed = UInt64(date.day) | UInt64(date.month) << 5 | UInt64(date.year) << 9
            return littleEndian(crc, packed, bytes: 3)
        case .datetime:
            let date = row.withBytes(index) { DateParts($0) }
            let yearMonth = UInt64(date.year * 13 + date.month)
            let packed =
                (yearMonth << 5 | UInt64(date.day)) << 17
                | (UInt64(date.hour) << 12 | UInt64(date.minute) << 6 | UInt64(date.second))
            return bigEndian(crc, packed &+ 0x80_0000_0000, bytes: 5)
        case .decimal(let precision, let scale):
            return CRC32.update(crc, DecimalImage.bytes(row, index, precision: precision, scale: scale))
        }
    }

    /// An integer column's value. SQLite keeps BIGINT UNSIGNED values above Int64.max as REAL; their bit
    /// pattern is what MariaDB stores.
    private static func integerValue(_ row: SQLiteStatement, _ index: Int) -> Int64 {
        guard row.storageClass(index) == SQLITE_FLOAT else { return row.integer(index) }
        let value = row.double(index).rounded()
        if let exact = Int64(exactly: value) { return exact }
        if let unsigned = UInt64(exactly: value) { return Int64(bitPattern: unsigned) }
        return value < 0 ? .min : -1
    }

    private static func littleEndian(_ crc: UInt32, _ value: UInt64, bytes: Int) -> UInt32 {
        withUnsafeBytes(of: value.littleEndian) { CRC32.update(crc, UnsafeRawBufferPointer(rebasing: $0[0..<bytes])) }
    }

    private static func bigEndian(_ crc: UInt32, _ value: UInt64, bytes: Int) -> UInt32 {
        withUnsafeBytes(of: value.bigEndian) { CRC32.update(crc, UnsafeRawBufferPointer(rebasing: $0[(8 - bytes)...])) }
    }

    /// CRC over a text value encoded in `charset`, at most `limit` bytes; returns the bytes covered.
    private static func text(
        _ crc: UInt32, _ row: SQLiteStatement, _ index: Int, charset: Charset, _ scratch: inout [UInt8],
        limit: Int = .max
    ) -> (crc: UInt32, written: Int) {
        row.withBytes(index) { utf8 in
            let singleByte = charset == .latin1 || charset == .ascii
            if !singleByte || isASCII(utf8) {
                let count = min(limit, utf8.count)
                return (CRC32.update(crc, UnsafeRawBufferPointer(rebasing: utf8[0..<count])), count)
            }
            scratch.removeAll(keepingCapacity: true)
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                scratch.append(scalar.value <= 0xFF ? UInt8(scalar.value) : UInt8(ascii: "?"))
            }
            let count = min(limit, scratch.count)
            return (
                scratch.withUnsafeBytes { CRC32.update(crc, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }, count
            )
        }
    }
}

/// True if no byte has its high bit set, checked eight bytes at a time.
private func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var index = 0
    var bits: UInt64 = 0
    while index + 8 <= bytes.count {
        bits |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        index += 8
    }
    while index < bytes.count {
        bits |= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
        index += 1
    }
    return bits & 0x8080_8080_8080_8080 == 0
}

/// `YYYY-MM-DD[ HH:MM:SS]` read from text, leniently (missing parts are zero).
struct DateParts {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0

    init(_ text: UnsafeRawBufferPointer) {
        var fields: [Int] = []
        var current = 0
        var inNumber = false
        for byte in text {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                current = current * 10 + Int(byte - UInt8(ascii: "0"))
                inNumber = true
            } else if inNumber {
                fields.append(current)
                current = 0
                inNumber = false
            }
            if fields.count == 6 { break }
        }
        if inNumber { fields.append(current) }
        fields += repeatElement(0, count: max(0, 6 - fields.count))
        (year, month, day, hour, minute, second) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
    }
}

/// MariaDB's binary DECIMAL format (`decimal2bin`): groups of nine digits in 4 big-endian bytes, leftover digits in
/// the fewest bytes, the sign bit flipped, and every byte inverted for negative numbers.
enum DecimalImage {
    private static let bytesForDigits = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]

    static func bytes(_ row: SQLiteStatement, _ index: Int, precision: Int, scale: Int) -> [UInt8] {
        var power: Int64 = 1
        for _ in 0..<scale { power *= 10 }
        let scaled: Int64 =
            row.storageClass(index) == SQLITE_INTEGER
            ? row.integer(index).multipliedReportingOverflow(by: power).partialValue
            : Int64(exactly: (row.double(index) * Double(power)).rounded()) ?? 0
        let negative = scaled < 0
        let magnitude = scaled.magnitude
        let integerPart = String(magnitude / UInt64(power))
        let fraction = String(magnitude % UInt64(power))
        let integerDigits = precision - scale
        let integerText = String(
            (String(repeating: "0", count: max(0, integerDigits - integerPart.count)) + integerPart).suffix(
                integerDigits))
        let fractionText = String(repeating: "0", count: max(0, scale - fraction.count)) + fraction
        var out: [UInt8] = []
        let lead = integerDigits % 9
        if lead > 0 { append(integerText.prefix(lead), bytes: bytesForDigits[lead], to: &out) }
        var position = integerText.index(integerText.startIndex, offsetBy: lead)
        while position < integerText.endIndex {
            let end = integerText.index(position, offsetBy: 9)
            append(integerText[position..<end], bytes: 4, to: &out)
            position = end
        }
        var fractionPosition = fractionText.startIndex
        for _ in 0..<(scale / 9) {
            let end = fractionText.index(fractionPosition, offsetBy: 9)
            append(fractionText[fractionPosition..<end], bytes: 4, to: &out)
            fractionPosition = end
        }
        if scale % 9 > 0 { append(fractionText[fractionPosition...], bytes: bytesForDigits[scale % 9], to: &out) }
        if negative { out = out.map { ~$0 } }
        if !out.isEmpty { out[0] ^= 0x80 }
        return out
    }

    private static func append(_ digits: Substring, bytes: Int, to out: inout [UInt8]) {
        let value = UInt32(digits) ?? 0
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}

extension TableChecksum {
    /// MariaDB's checksum of `table` in `schema` of `connection`; nil if there is no such table.
    static func of(_ table: String, schema: String, on connection: SQLiteConnection) throws(MySQLError) -> UInt32? {
        do {
            guard let definition = try TableSchema.load(connection, table: table, schema: schema) else { return nil }
            return try TableChecksum(definition).compute(connection, schema: schema)
        } catch let error as SQLiteError {
            throw MySQLError.unknown(error.message)
        } catch let error as MySQLError {
            throw error
        } catch {
            throw MySQLError.unknown("\(error)")
        }
    }
}

extension SQLiteConnection {
    /// MariaDB's CHECKSUM TABLE value of `table` in a plain SQLite database whose schema the façade wrote (a copy
    /// of a schema file, for example one made with the backup API); nil if there is no such table.
    public func mariaDBChecksum(of table: String) throws(MySQLError) -> UInt32? {
        try TableChecksum.of(table, schema: "main", on: self)
    }
}
