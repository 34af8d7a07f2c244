/// Byte-range reverse deltas: how an older page version is kept once a newer one supersedes it.
///
/// A reverse delta holds the *old* bytes of every range where the old and new versions differ, so applying it
/// to the new version's bytes rebuilds the old version. Format: a sequence of ranges, each a little-endian
/// `UInt16` offset, a `UInt16` length and that many old bytes. A small OLTP change (a few dozen bytes on each of
/// a handful of pages) costs tens of bytes per page instead of a whole page (sqlite-vfs-findings.md §5).
enum ReverseDelta {
    /// Bytes of range header.
    static let rangeHeaderBytes = 4
    /// Equal runs shorter than this are folded into the surrounding ranges: a new range header costs more
    /// than copying a few equal bytes.
    static let gapBytesMin = 8

    /// The encoded size of the delta that rebuilds `old` from `new`, or nil if it would exceed `limitBytes`.
    /// Both buffers must have the same count, at most 65,536 bytes.
    static func encodedSize(old: UnsafeRawBufferPointer, new: UnsafeRawBufferPointer, limitBytes: Int) -> Int? {
        var size = 0
        var exceeded = false
        forEachRange(old: old, new: new) { _, length in
            size += rangeHeaderBytes + length
            if size > limitBytes { exceeded = true }
            return !exceeded
        }
        return exceeded ? nil : size
    }

    /// Writes the delta that rebuilds `old` from `new` into `out`, which holds exactly `encodedSize` bytes.
    static func encode(old: UnsafeRawBufferPointer, new: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        var cursor = 0
        forEachRange(old: old, new: new) { offset, length in
            out.storeBytes(of: UInt16(offset).littleEndian, toByteOffset: cursor, as: UInt16.self)
            out.storeBytes(of: UInt16(length).littleEndian, toByteOffset: cursor + 2, as: UInt16.self)
            (out + cursor + rangeHeaderBytes).copyMemory(from: old.baseAddress! + offset, byteCount: length)
            cursor += rangeHeaderBytes + length
            return true
        }
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

    /// Calls `body(offset, length)` for each differing range, gaps under `gapBytesMin` folded in, in order.
    /// Ranges never exceed 65,535 bytes. Stops early when `body` returns false.
    private static func forEachRange(
        old: UnsafeRawBufferPointer, new: UnsafeRawBufferPointer, _ body: (Int, Int) -> Bool
    ) {
        precondition(old.count == new.count && old.count <= 65_536, "reverse deltas need equal page sizes")
        guard let a = old.baseAddress, let b = new.baseAddress else { return }
        let count = old.count
        var position = 0
        var rangeStart = -1
        var rangeEnd = 0
        @inline(__always) func differs(at i: Int) -> Bool {
            a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self)
        }
        while position < count {
            // Skip equal 8-byte words fast.
            if position + 8 <= count,
                a.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                    == b.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            {
                position += 8
                continue
            }
            if differs(at: position) {
                if rangeStart >= 0, position - rangeEnd < gapBytesMin, position + 1 - rangeStart <= 65_535 {
                    rangeEnd = position + 1
                } else {
                    if rangeStart >= 0, !body(rangeStart, rangeEnd - rangeStart) { return }
                    rangeStart = position
                    rangeEnd = position + 1
                }
            }
            position += 1
        }
        if rangeStart >= 0 { _ = body(rangeStart, rangeEnd - rangeStart) }
    }
}
