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
    ///
    /// Every commit hashes each page it writes, so this is on the write path: four lanes each fold 16 bytes per
    /// step with one 64×64→128-bit multiply (as XXH3 and wyhash do), under a key that changes from block to
    /// block so that moving bytes between blocks changes the hash. The PageStore benchmark `Page image, copy and
    /// hash` measures it together with the copy, against `Baseline: copy into a new allocation`.
    static func content(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var (lane0, lane1, lane2, lane3) = (prime1, prime2, prime3, prime1 ^ prime2)
        var any: UInt64 = 0
        var key = prime3
        var offset = 0
        let count = bytes.count
        while offset + 64 <= count {
            let block = base + offset
            let w0 = block.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            let w1 = block.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let w2 = block.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            let w3 = block.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            let w4 = block.loadUnaligned(fromByteOffset: 32, as: UInt64.self)
            let w5 = block.loadUnaligned(fromByteOffset: 40, as: UInt64.self)
            let w6 = block.loadUnaligned(fromByteOffset: 48, as: UInt64.self)
            let w7 = block.loadUnaligned(fromByteOffset: 56, as: UInt64.self)
            any |= w0 | w1 | w2 | w3 | w4 | w5 | w6 | w7
            lane0 = fold(lane0, w0, w1, key: key)
            lane1 = fold(lane1, w2, w3, key: key ^ prime1)
            lane2 = fold(lane2, w4, w5, key: key ^ prime2)
            lane3 = fold(lane3, w6, w7, key: key ^ prime3)
            key &+= prime1
            offset += 64
        }
        var tail: UInt64 = 0
        while offset < count {
            let byte = UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            any |= byte
            tail = ((tail ^ (byte &+ UInt64(offset))) &* prime1).rotatedLeft(by: 31) &* prime2
            offset += 1
        }
        guard any != 0 else { return 0 }
        let combined =
            finalize(lane0) &+ finalize(lane1).rotatedLeft(by: 7) &+ finalize(lane2).rotatedLeft(by: 12)
            &+ finalize(lane3).rotatedLeft(by: 18) ^ tail ^ UInt64(count)
        let result = finalize(combined)
        return result == 0 ? 1 : result
    }

    /// One lane step: a full-width multiply of the two words, each under the key, folded to 64 bits. The second
    /// word is also added as is, so that a word equal to its key does not erase the other.
    @inline(__always) private static func fold(_ lane: UInt64, _ a: UInt64, _ b: UInt64, key: UInt64) -> UInt64 {
        let product = (a ^ key).multipliedFullWidth(by: b ^ (key &+ prime2))
        return lane &+ (product.high ^ product.low) &+ b
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
