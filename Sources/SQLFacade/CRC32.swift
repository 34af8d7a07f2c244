/// zlib's CRC-32 (the IEEE polynomial, reflected, start value 0), which MariaDB's `my_checksum` is.
/// Slicing-by-8: eight table lookups per 8 bytes.
enum CRC32 {
    /// Eight 256-entry tables, one after the other: table k advances a byte through k more zero bytes.
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            table[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(slice - 1) * 256 + byte]
                table[slice * 256 + byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    /// Continues `crc` over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return table.withUnsafeBufferPointer { tableBuffer in
            let t = tableBuffer.baseAddress!
            var value = ~crc
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ value
                let high = UInt32(truncatingIfNeeded: word >> 32)
                value =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                index += 8
            }
            while index < count {
                let byte = UInt32(base.load(fromByteOffset: index, as: UInt8.self))
                value = (value >> 8) ^ t[Int((value ^ byte) & 0xFF)]
                index += 1
            }
            return ~value
        }
    }

    static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    /// Continues `crc` over `count` spaces (CHAR padding).
    static func updateSpaces(_ crc: UInt32, count: Int) -> UInt32 {
        var crc = crc
        var remaining = count
        spaces.withUnsafeBytes { block in
            while remaining > 0 {
                let step = min(remaining, block.count)
                crc = update(crc, UnsafeRawBufferPointer(rebasing: block[0..<step]))
                remaining -= step
            }
        }
        return crc
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 1024)
}
