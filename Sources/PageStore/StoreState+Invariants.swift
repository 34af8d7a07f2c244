/// Memory accounting and the invariants tests check after every step.
extension StoreState {
    func footprint() -> StoreFootprint {
        var live = 0
        var index = 0
        for volume in volumes.values {
            live += headCatalog(volume).values.reduce(0) { $0 + $1.shape.byteCount }
            index += volume.states.capacity * MemoryLayout<Volume.StateRecord>.stride
            index += volume.events.capacity * MemoryLayout<Volume.Event>.stride
        }
        for branch in branches.values {
            for file in branch.files.values {
                index += file.shapes.capacity * MemoryLayout<BranchFile.ShapeVersion>.stride
                for log in file.pages.values {
                    index += log.versions.capacity * MemoryLayout<PageLog.Version>.stride
                }
            }
        }
        return StoreFootprint(
            liveBytes: live, historyRecordBytes: records.liveBytes, historyAllocatedBytes: records.allocatedBytes,
            indexBytes: index, branches: branches.count)
    }

    /// Checks the structural invariants; returns the first violation found, or nil.
    func invariantViolation() -> String? {
        var recordBytes = 0
        for (id, branch) in branches {
            if let parent = branch.parent, branches[parent.branch] == nil { return "\(id) lost its parent" }
            for file in branch.files.values {
                if zip(file.shapes, file.shapes.dropFirst()).contains(where: { $0.lsn >= $1.lsn }) {
                    return "\(id) has shapes out of LSN order"
                }
                for (page, log) in file.pages {
                    let versions = log.versions
                    if zip(versions, versions.dropFirst()).contains(where: { $0.lsn >= $1.lsn }) {
                        return "\(id) page \(page) has versions out of LSN order"
                    }
                    if versions.dropLast().contains(where: { $0.location == .newest }) {
                        return "\(id) page \(page) holds a whole image before its newest version"
                    }
                    if let last = versions.last, last.lsn > branch.tip { return "\(id) page \(page) is past the tip" }
                    for version in versions where version.location.isInLog {
                        recordBytes += records.footprint(at: version.location)
                    }
                }
            }
        }
        if recordBytes != records.liveBytes {
            return "record log counts \(records.liveBytes) live bytes, versions reference \(recordBytes)"
        }
        for volume in volumes.values {
            let id = volume.id
            if zip(volume.events, volume.events.dropFirst()).contains(where: { $0.time > $1.time }) {
                return "\(id) has events out of time order"
            }
            if volume.events.contains(where: { $0.state < volume.statesBase }) {
                return "\(id) has an event whose state was trimmed"
            }
            if volume.headState.position != volume.head { return "\(id) head differs from its last event" }
            if branches[volume.head.branch] == nil { return "\(id) head is on a reclaimed branch" }
        }
        return nil
    }
}

extension PageStore {
    /// The first broken structural invariant, or nil. For tests.
    package func invariantViolation() -> String? {
        state.withLock { state in state.invariantViolation() }
    }
}
