import NIOCore

/// The MySQL protocol's integer and string encodings (all little-endian).
extension ByteBuffer {
    /// A length-encoded integer: < 0xFB in one byte, else 0xFC/0xFD/0xFE and 2, 3 or 8 bytes.
    mutating func writeLengthEncoded(_ value: UInt64) {
        switch value {
        case ..<0xFB: writeInteger(UInt8(value))
        case ..<0x1_0000:
            writeInteger(UInt8(0xFC))
            writeInteger(UInt16(value), endianness: .little)
        case ..<0x100_0000:
            writeInteger(UInt8(0xFD))
            writeInteger(UInt16(value & 0xFFFF), endianness: .little)
            writeInteger(UInt8(value >> 16))
        default:
            writeInteger(UInt8(0xFE))
            writeInteger(value, endianness: .little)
        }
    }

    mutating func writeLengthEncoded(_ bytes: some Collection<UInt8>) {
        writeLengthEncoded(UInt64(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeLengthEncoded(_ string: String) { writeLengthEncoded(string.utf8) }

    mutating func writeNullTerminated(_ string: String) {
        writeString(string)
        writeInteger(UInt8(0))
    }

    mutating func writeUInt16(_ value: UInt16) { writeInteger(value, endianness: .little) }
    mutating func writeUInt32(_ value: UInt32) { writeInteger(value, endianness: .little) }

    /// Reads a length-encoded integer; nil if the buffer ends first or it is the NULL marker 0xFB.
    mutating func readLengthEncoded() -> UInt64? {
        guard let first = readInteger(as: UInt8.self) else { return nil }
        switch first {
        case ..<0xFB: return UInt64(first)
        case 0xFC: return readInteger(endianness: .little, as: UInt16.self).map(UInt64.init)
        case 0xFD:
            guard let low = readInteger(endianness: .little, as: UInt16.self), let high = readInteger(as: UInt8.self)
            else { return nil }
            return UInt64(low) | UInt64(high) << 16
        case 0xFE: return readInteger(endianness: .little, as: UInt64.self)
        default: return nil
        }
    }

    /// Reads a length-encoded byte string; nil if the buffer is too short or the length absurd.
    mutating func readLengthEncodedBytes() -> [UInt8]? {
        guard let length = readLengthEncoded(), length <= UInt64(readableBytes) else { return nil }
        return readBytes(length: Int(length))
    }

    /// Reads up to the next NUL (consumed) or, with no NUL, nil.
    mutating func readNullTerminatedString() -> String? {
        guard let end = readableBytesView.firstIndex(of: 0) else { return nil }
        let string = readString(length: end - readerIndex)
        moveReaderIndex(forwardBy: 1)
        return string
    }

    mutating func readUInt16() -> UInt16? { readInteger(endianness: .little) }
    mutating func readUInt32() -> UInt32? { readInteger(endianness: .little) }
}
