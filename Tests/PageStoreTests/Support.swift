import PageStore

typealias SeededGenerator = SplitMix64

/// A page filled with one byte value, with a marker at the front so pages differ.
func page(_ fill: UInt8, size: Int = 4096, marker: UInt32 = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: fill, count: size)
    withUnsafeBytes(of: marker.littleEndian) { for (i, b) in $0.enumerated() { bytes[i] = b } }
    return bytes
}

/// A fresh store on a manual clock, with one volume.
func makeStore(window: Int64 = 3600) throws -> (PageStore, ManualClock, VolumeID) {
    let clock = ManualClock()
    let store = PageStore(clock: clock)
    let volume = try store.createVolume(retention: RetentionSettings(windowSeconds: window))
    return (store, clock, volume)
}

extension PageStore {
    /// Commits one batch built by `build`.
    @discardableResult
    func commit(to volume: VolumeID, _ build: (inout CommitBatch) -> Void) throws -> CommitInfo {
        var batch = CommitBatch()
        build(&batch)
        return try commit(batch, to: volume)
    }

    /// All pages of a file at the head.
    func pages(of file: String, in volume: VolumeID) throws -> [[UInt8]] {
        guard let shape = try files(of: volume)[file], shape.pageCount > 0 else { return [] }
        return try (1...shape.pageCount).map { try readPage(PageNumber($0), of: file, in: volume) }
    }
}

extension ReadView {
    func pages(of file: String) throws -> [[UInt8]] {
        guard let shape = files()[file], shape.pageCount > 0 else { return [] }
        return try (1...shape.pageCount).map { try readPage(PageNumber($0), of: file) }
    }
}
