/// The bytes of one page version, whole, with their content hash.
///
/// Images are immutable once made, so the head state, a clone's head and a branch's history can all hold the
/// same image: sharing a page is sharing a reference. A writer can make its images before it commits (the SQLite
/// VFS does, at each page write), so that the commit neither copies nor hashes them again.
///
/// `@unchecked Sendable`: the bytes are written only in `init`, before the image is published, and never after.
public final class PageImage: @unchecked Sendable {
    /// The bytes, allocated once and never written after `init`. The allocation starts `ownerBytes` earlier,
    /// with a pointer back to this object: see `lend()`.
    let base: UnsafeMutableRawPointer
    public let count: Int
    /// `PageHash.content` of the bytes; 0 for an all-zero page.
    let contentHash: UInt64

    /// Room before the bytes for the owner pointer, keeping the bytes 16-byte aligned.
    private static let ownerBytes = 16

    public init(copying source: UnsafeRawBufferPointer) {
        count = source.count
        let allocation = UnsafeMutableRawPointer.allocate(byteCount: Self.ownerBytes + max(count, 1), alignment: 16)
        base = allocation + Self.ownerBytes
        if let from = source.baseAddress { base.copyMemory(from: from, byteCount: count) }
        contentHash = PageHash.content(UnsafeRawBufferPointer(start: base, count: count))
        allocation.storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), as: UnsafeMutableRawPointer.self)
    }

    public static func make(_ bytes: [UInt8]) -> PageImage {
        bytes.withUnsafeBytes { PageImage(copying: $0) }
    }

    deinit { (base - Self.ownerBytes).deallocate() }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    var bytes: [UInt8] { withBytes { Array($0) } }

    /// The bytes, for C code that keeps them past this call (SQLite's `xFetch`): the image stays alive until
    /// `endLoan(of:)` is called with the same pointer. Images are immutable, so lent bytes never change.
    public func lend() -> UnsafeRawPointer {
        _ = Unmanaged.passRetained(self)
        return UnsafeRawPointer(base)
    }

    /// Lends the image that owns `bytes` (the start of some image's bytes, as the head memo holds them) without
    /// loading the image object itself.
    static func lend(bytes: UnsafeRawPointer) -> UnsafeRawPointer {
        _ = owner(of: bytes).retain()
        return bytes
    }

    /// Ends a loan made by `lend()`: releases the image through the pointer kept before its bytes.
    public static func endLoan(of bytes: UnsafeRawPointer) {
        owner(of: bytes).release()
    }

    private static func owner(of bytes: UnsafeRawPointer) -> Unmanaged<PageImage> {
        Unmanaged.fromOpaque((bytes - ownerBytes).load(as: UnsafeRawPointer.self))
    }
}
