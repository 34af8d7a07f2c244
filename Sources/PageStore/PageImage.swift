/// The bytes of one page version, whole, with their content hash.
///
/// Images are immutable once made, so the head state, a clone's head and a branch's history can all hold the
/// same image: sharing a page is sharing a reference. A writer can make its images before it commits (the SQLite
/// VFS does, at each page write), so that the commit neither copies nor hashes them again.
///
/// `@unchecked Sendable`: the bytes are written only in `init`, before the image is published, and never after.
public final class PageImage: @unchecked Sendable {
    /// The bytes, allocated once and never written after `init`.
    let base: UnsafeMutableRawPointer
    public let count: Int
    /// `PageHash.content` of the bytes; 0 for an all-zero page.
    let contentHash: UInt64

    public init(copying source: UnsafeRawBufferPointer) {
        count = source.count
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        if let from = source.baseAddress { base.copyMemory(from: from, byteCount: count) }
        contentHash = PageHash.content(UnsafeRawBufferPointer(start: base, count: count))
    }

    public static func make(_ bytes: [UInt8]) -> PageImage {
        bytes.withUnsafeBytes { PageImage(copying: $0) }
    }

    deinit { base.deallocate() }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    var bytes: [UInt8] { withBytes { Array($0) } }
}
