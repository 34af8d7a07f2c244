/// The bytes of one page version, whole, with their content hash.
///
/// Images are immutable once made, so the head state, a clone's head and a branch's history can all hold the
/// same image: sharing a page is sharing a reference.
///
/// `@unchecked Sendable`: the bytes are written only in `init`, before the image is published, and never after.
final class PageImage: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    let count: Int
    /// `PageHash.content` of the bytes; 0 for an all-zero page.
    let contentHash: UInt64

    init(copying source: UnsafeRawBufferPointer) {
        count = source.count
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        if let from = source.baseAddress { base.copyMemory(from: from, byteCount: count) }
        contentHash = PageHash.content(UnsafeRawBufferPointer(start: base, count: count))
    }

    static func make(_ bytes: [UInt8]) -> PageImage {
        bytes.withUnsafeBytes { PageImage(copying: $0) }
    }

    deinit { base.deallocate() }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    var bytes: [UInt8] { withBytes { Array($0) } }
}
