/// The versions one branch wrote for one page, oldest first.
///
/// The newest version is kept whole as a `PageImage`. Each older version lives in the `RecordLog` as a reverse
/// delta against the next newer version, or whole (a keyframe) every `keyframeSpacing` versions or when the
/// delta would be nearly a page. So rebuilding any version costs one image copy plus fewer than
/// `keyframeSpacing` delta applications: bounded, whatever the history length.
struct PageLog {
    struct Version {
        var lsn: LSN
        var location: RecordLog.Location
    }

    /// At most this many deltas separate a version from a whole image. 64 balances history size (a keyframe
    /// amortises to 1/64 of a page per version) against the cost of reading an old version.
    static let keyframeSpacing = 64
    /// A delta above this fraction of the page (in 1/8ths) is stored whole instead.
    static let deltaEighthsMax = 6

    private(set) var versions: [Version] = []
    /// The newest version's bytes, or nil if the newest version is absent (the page was truncated away).
    private(set) var newest: PageImage?
    /// Deltas immediately older than the newest version, since the last whole record.
    private var deltaRun = 0

    var isEmpty: Bool { versions.isEmpty }
    var newestLSN: LSN? { versions.last?.lsn }

    /// Index of the newest version at or before `lsn`, found by binary search.
    func index(atOrBefore lsn: LSN) -> Int? {
        var low = 0
        var high = versions.count
        while low < high {
            let mid = (low + high) / 2
            if versions[mid].lsn <= lsn { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    /// Appends a version at `lsn` (nil image: the page is absent). The previous newest version moves into
    /// `records` as a reverse delta or a keyframe. Returns the bytes that history grew by.
    mutating func append(lsn: LSN, image: PageImage?, records: inout RecordLog) -> Int {
        assert(versions.last.map { $0.lsn < lsn } ?? true, "page versions must be appended in LSN order")
        var grown = 0
        if let last = versions.indices.last, versions[last].location == .newest, let previous = newest {
            let location = store(previous, supersededBy: image, records: &records)
            versions[last].location = location
            grown = records.footprint(at: location)
        }
        versions.append(Version(lsn: lsn, location: image == nil ? .absent : .newest))
        newest = image
        return grown + MemoryLayout<Version>.stride
    }

    private mutating func store(_ old: PageImage, supersededBy new: PageImage?, records: inout RecordLog)
        -> RecordLog.Location
    {
        old.withBytes { oldBytes in
            if deltaRun < Self.keyframeSpacing - 1, let new, new.count == oldBytes.count {
                let limit = oldBytes.count * Self.deltaEighthsMax / 8
                let delta = new.withBytes { newBytes in
                    records.append(kind: .delta, payloadBytesMax: limit) { out in
                        ReverseDelta.encode(old: oldBytes, new: newBytes, into: out, limitBytes: limit)
                    }
                }
                if let delta {
                    deltaRun += 1
                    return delta
                }
            }
            deltaRun = 0
            return records.appendFull(oldBytes)
        }
    }

    /// Rebuilds version `index` whole: nil if the page was absent then.
    func image(at index: Int, records: RecordLog) -> PageImage? {
        let location = versions[index].location
        if location == .newest { return newest }
        if location == .absent { return nil }
        let bytes = [UInt8](unsafeUninitializedCapacity: wholeRecordBytes(from: index, records: records)) {
            buffer, count in
            count = buffer.count
            rebuild(index, into: UnsafeMutableRawBufferPointer(buffer), records: records)
        }
        return PageImage.make(bytes)
    }

    /// Lends version `index` in place (see `PageImage.lend()`) if it is the newest, kept whole; nil otherwise,
    /// for the caller to rebuild it by copying.
    func lend(_ index: Int) -> UnsafeRawPointer? {
        guard versions[index].location == .newest, let newest else { return nil }
        return newest.lend()
    }

    /// Copies version `index` into `page`, which holds exactly one page: zeros if the page was absent then.
    /// Costs one page copy plus fewer than `keyframeSpacing` delta applications, and allocates nothing.
    func read(_ index: Int, into page: UnsafeMutableRawBufferPointer, records: RecordLog) {
        let location = versions[index].location
        if location == .absent {
            page.initializeMemory(as: UInt8.self, repeating: 0)
        } else if location == .newest {
            newest!.withBytes { page.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        } else {
            rebuild(index, into: page, records: records)
        }
    }

    /// Walks forward to the nearest whole version, copies it, then applies deltas backwards down to `index`.
    private func rebuild(_ index: Int, into page: UnsafeMutableRawBufferPointer, records: RecordLog) {
        let base = wholeVersion(from: index, records: records)
        let baseLocation = versions[base].location
        if baseLocation == .newest {
            newest!.withBytes { page.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        } else {
            let whole = records.record(at: baseLocation).1
            page.baseAddress!.copyMemory(from: whole.baseAddress!, byteCount: whole.count)
        }
        var step = base - 1
        while step >= index {
            ReverseDelta.apply(records.record(at: versions[step].location).1, to: page)
            step -= 1
        }
    }

    /// The index of the nearest version at or after `index` that is stored whole.
    private func wholeVersion(from index: Int, records: RecordLog) -> Int {
        var base = index
        while true {
            let location = versions[base].location
            if location == .newest || (location.isInLog && records.record(at: location).0 == .full) { return base }
            base += 1
        }
    }

    private func wholeRecordBytes(from index: Int, records: RecordLog) -> Int {
        let location = versions[wholeVersion(from: index, records: records)].location
        return location == .newest ? newest!.count : records.record(at: location).1.count
    }
}

extension PageLog {
    /// Keeps only the versions whose indices `keep` says to keep, re-encoding kept older versions whose
    /// delta base is dropped. Releases the records of dropped versions. Returns the bytes history shrank by.
    mutating func retain(where keep: (Int) -> Bool, records: inout RecordLog) -> Int {
        let flags = versions.indices.map(keep)
        guard flags.contains(false) else { return 0 }
        let before = footprint(records: records)
        // Rebuild whole images of kept versions before any record is released, newest first.
        var rebuilt: [Int: PageImage?] = [:]
        for index in versions.indices where flags[index] && versions[index].location.isInLog {
            let successorKept = index + 1 < versions.count && flags[index + 1]
            if !successorKept { rebuilt.updateValue(image(at: index, records: records), forKey: index) }
        }
        var kept: [Version] = []
        kept.reserveCapacity(flags.lazy.filter { $0 }.count)
        for (index, version) in versions.enumerated() {
            if flags[index] {
                kept.append(version)
            } else {
                records.release(version.location)
            }
        }
        // Re-store rebuilt versions whole: their old delta pointed at a version that is gone.
        var keptIndex = 0
        for (index, version) in versions.enumerated() where flags[index] {
            if let image = rebuilt[index] {
                records.release(version.location)
                kept[keptIndex].location = image.map { img in img.withBytes { records.appendFull($0) } } ?? .absent
            }
            keptIndex += 1
        }
        versions = kept
        if versions.last?.location != .newest { newest = nil }
        deltaRun = 0
        return before - footprint(records: records)
    }

    /// Moves this log's records out of sparse chunks to the log's tail.
    mutating func relocateSparse(records: inout RecordLog) {
        for index in versions.indices where records.isInSparseChunk(versions[index].location) {
            versions[index].location = records.relocate(versions[index].location)
        }
    }

    /// History bytes held by this log: its records and its version array (the newest image is live state).
    func footprint(records: RecordLog) -> Int {
        var total = versions.capacity * MemoryLayout<Version>.stride
        for version in versions where version.location.isInLog {
            total += records.footprint(at: version.location)
        }
        return total
    }
}
