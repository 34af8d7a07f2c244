import NIOCore
import PageStore
import SQLFacade

/// Values in the binary protocol: COM_STMT_EXECUTE parameters in, binary result rows out.
enum BinaryValue {
    /// Reads one parameter of wire type `type` (the low byte; `unsigned` is the high byte's 0x80); nil if the
    /// payload ends first or the type is not one clients send.
    static func read(type: UInt8, unsigned: Bool, from buffer: inout ByteBuffer) -> SQLValue? {
        switch type {
        case MySQLType.null.rawValue: return .null
        case MySQLType.tiny.rawValue:
            return buffer.readInteger(as: UInt8.self).map {
                .integer(unsigned ? Int64($0) : Int64(Int8(bitPattern: $0)))
            }
        case MySQLType.short.rawValue, MySQLType.year.rawValue:
            return buffer.readUInt16().map { .integer(unsigned ? Int64($0) : Int64(Int16(bitPattern: $0))) }
        case MySQLType.long.rawValue, MySQLType.int24.rawValue:
            return buffer.readUInt32().map { .integer(unsigned ? Int64($0) : Int64(Int32(bitPattern: $0))) }
        case MySQLType.longlong.rawValue:
            return buffer.readInteger(endianness: .little, as: UInt64.self).map { raw in
                unsigned && raw > UInt64(Int64.max) ? .text(String(raw)) : .integer(Int64(bitPattern: raw))
            }
        case MySQLType.float.rawValue:
            return buffer.readUInt32().map { .real(Double(Float(bitPattern: $0))) }
        case MySQLType.double.rawValue:
            return buffer.readInteger(endianness: .little, as: UInt64.self).map { .real(Double(bitPattern: $0)) }
        case MySQLType.date.rawValue, MySQLType.datetime.rawValue, MySQLType.timestamp.rawValue:
            return readDateTime(from: &buffer, dateOnly: type == MySQLType.date.rawValue)
        case MySQLType.time.rawValue:
            return readTime(from: &buffer)
        case MySQLType.decimal.rawValue, MySQLType.newDecimal.rawValue, MySQLType.varchar.rawValue,
            MySQLType.varString.rawValue, MySQLType.string.rawValue, 0xF5 /* JSON */:
            return buffer.readLengthEncodedBytes().map { .text(String(decoding: $0, as: UTF8.self)) }
        case MySQLType.blob.rawValue, 0xF9, 0xFA, 0xFB /* tiny, medium, long blob */, MySQLType.bit.rawValue:
            return buffer.readLengthEncodedBytes().map { .blob($0) }
        default:
            return nil
        }
    }

    /// The type a column is sent as in a binary row: its declared type if every value fits it, else VAR_STRING.
    static func wireType(_ declared: MySQLType, values: some Sequence<SQLValue>) -> MySQLType {
        let fits: (SQLValue) -> Bool
        switch declared {
        case .tiny, .short, .long, .int24, .longlong, .year:
            fits = { if case .integer = $0 { true } else { $0 == .null } }
        case .float, .double:
            fits = {
                switch $0 {
                case .real, .integer, .null: true
                default: false
                }
            }
        case .date, .datetime, .timestamp:
            fits = { value in
                guard case .text(let text) = value else { return value == .null }
                return Timestamp(iso8601: text) != nil
            }
        case .null: return .null
        case .time: return .varString
        default: return declared
        }
        return values.allSatisfy(fits) ? declared : .varString
    }

    static func write(_ value: SQLValue, as type: MySQLType, into buffer: inout ByteBuffer) {
        switch (type, value) {
        case (.tiny, .integer(let v)): buffer.writeInteger(UInt8(truncatingIfNeeded: v))
        case (.short, .integer(let v)), (.year, .integer(let v)): buffer.writeUInt16(UInt16(truncatingIfNeeded: v))
        case (.long, .integer(let v)), (.int24, .integer(let v)): buffer.writeUInt32(UInt32(truncatingIfNeeded: v))
        case (.longlong, .integer(let v)): buffer.writeInteger(UInt64(bitPattern: v), endianness: .little)
        case (.float, .real(let v)): buffer.writeUInt32(Float(v).bitPattern)
        case (.float, .integer(let v)): buffer.writeUInt32(Float(v).bitPattern)
        case (.double, .real(let v)): buffer.writeInteger(v.bitPattern, endianness: .little)
        case (.double, .integer(let v)): buffer.writeInteger(Double(v).bitPattern, endianness: .little)
        case (.date, .text(let text)), (.datetime, .text(let text)), (.timestamp, .text(let text)):
            writeDateTime(
                Timestamp(iso8601: text) ?? Timestamp(microseconds: 0), dateOnly: type == .date, into: &buffer)
        case (_, .blob(let bytes)): buffer.writeLengthEncoded(bytes)
        default: buffer.writeLengthEncoded(value.mysqlText ?? "")
        }
    }

    /// Length byte (0, 4, 7 or 11), then year(2), month, day, [hour, minute, second, [microseconds(4)]].
    private static func writeDateTime(_ time: Timestamp, dateOnly: Bool, into buffer: inout ByteBuffer) {
        let text = time.description  // YYYY-MM-DDTHH:MM:SS.ffffffZ
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int { Int(String(decoding: digits[range], as: UTF8.self)) ?? 0 }
        let micros = number(20..<26)
        let length: UInt8 = dateOnly ? 4 : micros != 0 ? 11 : 7
        buffer.writeInteger(length)
        buffer.writeUInt16(UInt16(number(0..<4)))
        buffer.writeInteger(UInt8(number(5..<7)))
        buffer.writeInteger(UInt8(number(8..<10)))
        guard length >= 7 else { return }
        buffer.writeInteger(UInt8(number(11..<13)))
        buffer.writeInteger(UInt8(number(14..<16)))
        buffer.writeInteger(UInt8(number(17..<19)))
        if length == 11 { buffer.writeUInt32(UInt32(micros)) }
    }

    private static func readDateTime(from buffer: inout ByteBuffer, dateOnly: Bool) -> SQLValue? {
        guard let length = buffer.readInteger(as: UInt8.self), [0, 4, 7, 11].contains(length),
            let bytes = buffer.readBytes(length: Int(length))
        else { return nil }
        guard length > 0 else { return .text(dateOnly ? "0000-00-00" : "0000-00-00 00:00:00") }
        func two(_ value: UInt8) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(bytes[0]) | Int(bytes[1]) << 8
        var text =
            "\(String(repeating: "0", count: max(0, 4 - String(year).count)))\(year)-\(two(bytes[2]))-\(two(bytes[3]))"
        if dateOnly { return .text(text) }
        text += length >= 7 ? " \(two(bytes[4])):\(two(bytes[5])):\(two(bytes[6]))" : " 00:00:00"
        if length == 11 {
            let micros = Int(bytes[7]) | Int(bytes[8]) << 8 | Int(bytes[9]) << 16 | Int(bytes[10]) << 24
            let fraction = String(micros)
            text += "." + String(repeating: "0", count: max(0, 6 - fraction.count)) + fraction
        }
        return .text(text)
    }

    /// TIME: length (0, 8 or 12), sign, days(4), hour, minute, second, [microseconds(4)].
    private static func readTime(from buffer: inout ByteBuffer) -> SQLValue? {
        guard let length = buffer.readInteger(as: UInt8.self), [0, 8, 12].contains(length),
            let bytes = buffer.readBytes(length: Int(length))
        else { return nil }
        guard length > 0 else { return .text("00:00:00") }
        let days = Int(bytes[1]) | Int(bytes[2]) << 8 | Int(bytes[3]) << 16 | Int(bytes[4]) << 24
        let hours = days * 24 + Int(bytes[5])
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return .text("\(bytes[0] == 1 ? "-" : "")\(two(hours)):\(two(Int(bytes[6]))):\(two(Int(bytes[7])))")
    }
}
