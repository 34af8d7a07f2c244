/// The hashes behind volume digests.
///
/// A volume's digest is the XOR, over its files, of a hash of (name, page size, page count), and over their pages,
/// of a hash of (name, page number, content). XOR makes the digest maintainable in O(pages changed): a commit XORs
/// out the old page's term and XORs in the new one (LiteFS's LTX checksum works the same way). An all-zero page
/// contributes 0, exactly as a page never written does, so a file that grows without writes keeps its digest.
enum PageHash {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    /// Hash of a page's bytes; 0 if and only if every byte is zero (a non-zero page never hashes to 0).
    static func content(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (prime1, prime2, prime3, prime1 ^ prime2)
        var any: UInt64 = 0
        var offset = 0
        let count = bytes.count
        @inline(__always) func round(_ acc: UInt64, _ word: UInt64) -> UInt64 {
            ((acc ^ word) &* prime1).rotatedLeft(by: 31) &* prime2
        }
        while offset + 32 <= count {
            let w0 = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let w1 = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            let w2 = base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
            let w3 = base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
            any |= w0 | w1 | w2 | w3
            lanes = (round(lanes.0, w0), round(lanes.1, w1), round(lanes.2, w2), round(lanes.3, w3))
            offset += 32
        }
        var tail: UInt64 = 0
        while offset < count {
            let byte = UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            any |= byte
            tail = round(tail, byte &+ UInt64(offset))
            offset += 1
        }
        guard any != 0 else { return 0 }
        let combined =
            lanes.0.rotatedLeft(by: 1) &+ lanes.1.rotatedLeft(by: 7) &+ lanes.2.rotatedLeft(by: 12)
            &+ lanes.3.rotatedLeft(by: 18) ^ tail ^ UInt64(count)
        let result = finalize(combined)
        return result == 0 ? 1 : result
    }

    /// The digest term of one page: zero pages contribute nothing.
    static func page(fileSalt: UInt64, page: PageNumber, contentHash: UInt64) -> UInt64 {
        guard contentHash != 0 else { return 0 }
        return finalize(fileSalt ^ (UInt64(page.rawValue) &* prime3) ^ contentHash.rotatedLeft(by: 17))
    }

    /// The digest term of a file's shape: present files contribute even when empty.
    static func file(fileSalt: UInt64, pageSize: Int, pageCount: UInt32) -> UInt64 {
        finalize(fileSalt &+ UInt64(pageSize) &* prime2 ^ UInt64(pageCount) &* prime1 ^ 0x5EED)
    }

    /// A salt for a file name, so that equal contents under different names differ.
    static func salt(name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return finalize(hash)
    }

    /// A strong 64-bit mixer (the MurmurHash3 finalizer).
    static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}

extension UInt64 {
    @inline(__always) func rotatedLeft(by bits: UInt64) -> UInt64 { (self << bits) | (self >> (64 - bits)) }
}
