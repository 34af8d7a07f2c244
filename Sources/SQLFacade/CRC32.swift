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

    /// Continues `crc` over `count` spaces (CHAR padding) in O(32) steps instead of O(count), by zlib's CRC
    /// combination: crc(A ‖ B) = crc(A) × x^(8·|B|) mod P ⊕ crc(B).
    static func updateSpaces(_ crc: UInt32, count: Int) -> UInt32 {
        guard count > 0 else { return crc }
        guard count < paddingTable.count else {
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
        let (shift, spacesCRC) = paddingTable[count]
        return multiplyModP(shift, crc) ^ spacesCRC
    }

    /// For each padding length n below 1,024: (x^(8n) mod P, crc32 of n spaces).
    private static let paddingTable: [(UInt32, UInt32)] = {
        var table: [(UInt32, UInt32)] = [(0x8000_0000, 0)]  // x^0, crc of nothing
        var shift: UInt32 = 0x8000_0000
        var crc: UInt32 = 0
        let space: [UInt8] = [0x20]
        for _ in 1..<1024 {
            shift = multiplyModP(shift, 0x0080_0000)  // × x^8
            crc = update(crc, space)
            table.append((shift, crc))
        }
        return table
    }()

    /// a × b modulo the CRC-32 polynomial, in the reflected bit order zlib uses (x^0 is the top bit).
    private static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var b = b
        var product: UInt32 = 0
        var mask: UInt32 = 0x8000_0000
        while mask != 0 {
            if a & mask != 0 {
                product ^= b
                if a & (mask - 1) == 0 { break }
            }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ 0xEDB8_8320 : b >> 1
        }
        return product
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 1024)
}
