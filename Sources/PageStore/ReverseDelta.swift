/// Byte-range reverse deltas: how an older page version is kept once a newer one supersedes it.
///
/// A reverse delta holds the *old* bytes of every range where the old and new versions differ, so applying it
/// to the new version's bytes rebuilds the old version. Format: a sequence of ranges, each a little-endian
/// `UInt16` offset, a `UInt16` length and that many old bytes. A small OLTP change (a few dozen bytes on each of
/// a handful of pages) costs tens of bytes per page instead of a whole page (sqlite-vfs-findings.md §5).
enum ReverseDelta {
    /// Bytes of range header.
    static let rangeHeaderBytes = 4
    /// Writes the delta that rebuilds `old` from `new` into `out` and returns its size, or returns nil as soon as
    /// it would exceed `limitBytes` (then the old version is better stored whole). `out` must have room for
    /// `limitBytes`. Both buffers have the same count, a multiple of 8 of at most 65,536 bytes.
    ///
    /// One pass over 8-byte words: a range covers a run of differing words, trimmed to its first and last
    /// differing byte. One equal word (8 bytes) ends a range, since a new 4-byte range header is cheaper than
    /// copying 8 equal bytes.
    static func encode(
        old: UnsafeRawBufferPointer, new: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer, limitBytes: Int
    ) -> Int? {
        precondition(old.count == new.count && old.count % 8 == 0 && old.count <= 65_536, "unsupported page size")
        guard let a = old.baseAddress, let b = new.baseAddress else { return 0 }
        var size = 0
        var rangeStart = -1
        var rangeEnd = 0
        func flush() -> Bool {
            var start = rangeStart
            while start < rangeEnd {
                let length = min(rangeEnd - start, 65_535)
                guard size + rangeHeaderBytes + length <= limitBytes else { return false }
                out.storeBytes(of: UInt16(start).littleEndian, toByteOffset: size, as: UInt16.self)
                out.storeBytes(of: UInt16(length).littleEndian, toByteOffset: size + 2, as: UInt16.self)
                (out + size + rangeHeaderBytes).copyMemory(from: a + start, byteCount: length)
                size += rangeHeaderBytes + length
                start += length
            }
            return true
        }
        var offset = 0
        while offset < old.count {
            // Most of a page is unchanged: skip equal 32-byte blocks with one branch.
            if offset + 32 <= old.count {
                let block =
                    (a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    | (a.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
                        ^ b.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                    | (a.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
                        ^ b.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                    | (a.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
                        ^ b.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                if block == 0 {
                    offset += 32
                    continue
                }
            }
            let difference =
                a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if difference != 0 {
                // Little-endian: the lowest set bit is in the first differing byte.
                let first = offset + difference.littleEndian.trailingZeroBitCount / 8
                let last = offset + 8 - difference.littleEndian.leadingZeroBitCount / 8
                if rangeStart < 0 {
                    rangeStart = first
                } else if first - rangeEnd >= 8 {
                    guard flush() else { return nil }
                    rangeStart = first
                }
                rangeEnd = last
            }
            offset += 8
        }
        if rangeStart >= 0 { guard flush() else { return nil } }
        return size
    }

    /// Applies a delta to a page buffer in place, turning the newer version into the older one.
    static func apply(_ delta: UnsafeRawBufferPointer, to page: UnsafeMutableRawBufferPointer) {
        guard let base = delta.baseAddress, let target = page.baseAddress else { return }
        var cursor = 0
        while cursor + rangeHeaderBytes <= delta.count {
            let offset = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: cursor, as: UInt16.self)))
            let length = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: cursor + 2, as: UInt16.self)))
            let start = cursor + rangeHeaderBytes
            assert(offset + length <= page.count && start + length <= delta.count, "corrupt reverse delta")
            (target + offset).copyMemory(from: base + start, byteCount: length)
            cursor = start + length
        }
    }
}
