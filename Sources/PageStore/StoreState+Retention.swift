/// Retention: reclaiming history that no retained state needs.
///
/// A state is retained when a volume can still reach it by time (it was the head at some moment inside the
/// volume's window, or it is the head now), when a read view holds it, or when a retained state on another branch
/// reads through it (a clone's or a later branch's branch point). A page version is needed when some retained
/// position on its branch resolves to it. Everything else is released, and kept versions whose delta base went
/// away are stored whole again.
extension StoreState {
    /// One sweep over the whole store. Trimming wall-clock histories is O(events); the pass over page versions,
    /// O(page versions × log retained positions), runs only when some retained position went away since the last
    /// sweep, since new commits and backtracks only add positions and so never make a version unneeded.
    mutating func sweep(clock: Timestamp) {
        for volume in volumes.values where trimHistory(volume, now: volume.observe(clock)) {
            retainedPositionsDropped = true
        }
        guard retainedPositionsDropped else {
            versionsAtLastSweep += versionsSinceSweep
            versionsSinceSweep = 0
            return
        }
        retainedPositionsDropped = false
        var retained: [BranchID: Set<LSN>] = [:]
        for volume in volumes.values {
            for event in volume.events {
                let position = volume.state(event.state).position
                retained[position.branch, default: []].insert(position.lsn)
            }
        }
        for position in pins.keys { retained[position.branch, default: []].insert(position.lsn) }
        closeOverAncestry(&retained)
        for (id, branch) in branches {
            guard let lsns = retained[id] else {
                release(branch)
                branches[id] = nil
                continue
            }
            branch.historyBytes -= retain(branch, positions: lsns.sorted())
        }
        if records.isFragmented { compactRecords() }
        for volume in volumes.values { volume.memo.dropStale() }
        versionsAtLastSweep = versionCount
        versionsSinceSweep = 0
    }

    /// Drops events and states no time in the window can reach, after applying the byte budget. Returns true if
    /// any event was dropped.
    private func trimHistory(_ volume: Volume, now: Timestamp) -> Bool {
        applyBudget(volume, now: now)
        let retainFrom = volume.keptSeconds > 0 ? volume.earliestRestoreTime(now: now) : now
        // Keep the last event at or before `retainFrom`: it defines the state at `retainFrom`.
        var firstKept = 0
        while firstKept + 1 < volume.events.count, volume.events[firstKept + 1].time <= retainFrom {
            firstKept += 1
        }
        if firstKept > 0 { volume.events.removeFirst(firstKept) }
        let oldestState = volume.events.lazy.map(\.state).min() ?? volume.statesBase
        if oldestState > volume.statesBase {
            volume.states.removeFirst(oldestState - volume.statesBase)
            volume.statesBase = oldestState
        }
        if volume.events.capacity > 2 * volume.events.count + 16 { volume.events = volume.events.reallocated() }
        if volume.states.capacity > 2 * volume.states.count + 16 { volume.states = volume.states.reallocated() }
        return firstKept > 0
    }

    /// Shrinks the actual window until the volume's history fits its byte budget. Each state records the
    /// history bytes its commit added; dropping the oldest states frees about that much.
    private func applyBudget(_ volume: Volume, now: Timestamp) {
        guard let budget = volume.settings.historyBytesMax else { return }
        var excess = historyBytes(of: volume.id) - budget
        guard excess > 0 else { return }
        for state in volume.states.dropFirst() {
            excess -= state.historyBytes
            volume.historyFloor = max(volume.historyFloor ?? state.time, state.time)
            if excess <= 0 { break }
        }
    }

    /// Adds each retained position's ancestors: a branch reads through its parent at the branch point.
    private func closeOverAncestry(_ retained: inout [BranchID: Set<LSN>]) {
        var pending = Array(retained.keys)
        var visited = Set<BranchID>()
        while let id = pending.popLast() {
            guard visited.insert(id).inserted, let parent = branches[id]?.parent else { continue }
            retained[parent.branch, default: []].insert(parent.lsn)
            pending.append(parent.branch)
        }
    }

    /// Keeps each version some retained position resolves to; returns the history bytes freed.
    private mutating func retain(_ branch: Branch, positions: [LSN]) -> Int {
        var freed = 0
        for fileID in Array(branch.files.keys) {
            var file = branch.files.removeValue(forKey: fileID)!
            file.shapes = file.shapes.enumerated().filter { index, shape in
                let next = index + 1 < file.shapes.count ? file.shapes[index + 1].lsn : nil
                return Self.needed(from: shape.lsn, until: next, positions: positions)
            }.map(\.1)
            for key in Array(file.pages.keys) {
                var log = file.pages.removeValue(forKey: key)!
                let versions = log.versions
                freed += log.retain(
                    where: { index in
                        let next = index + 1 < versions.count ? versions[index + 1].lsn : nil
                        return Self.needed(from: versions[index].lsn, until: next, positions: positions)
                    }, records: &records)
                if !log.isEmpty { file.pages[key] = log }
            }
            if !file.shapes.isEmpty || !file.pages.isEmpty { branch.files[fileID] = file }
        }
        return freed
    }

    /// True if some retained position lies in [lsn, next): the version written at `lsn` is what it reads.
    private static func needed(from lsn: LSN, until next: LSN?, positions: [LSN]) -> Bool {
        var low = 0
        var high = positions.count
        while low < high {
            let mid = (low + high) / 2
            if positions[mid] < lsn { low = mid + 1 } else { high = mid }
        }
        guard low < positions.count else { return false }
        return next.map { positions[low] < $0 } ?? true
    }

    private mutating func release(_ branch: Branch) {
        for file in branch.files.values {
            for log in file.pages.values {
                for version in log.versions { records.release(version.location) }
            }
        }
    }

    /// Moves records out of mostly-empty chunks so those chunks can be freed.
    private mutating func compactRecords() {
        records.sealActiveChunk()
        for branch in branches.values {
            for fileID in Array(branch.files.keys) {
                for key in Array(branch.files[fileID]!.pages.keys) {
                    branch.files[fileID]!.pages[key]!.relocateSparse(records: &records)
                }
            }
        }
    }

    /// History bytes charged to a volume: its branches' versions and its wall-clock history.
    func historyBytes(of id: VolumeID) -> Int {
        var total = 0
        for branch in branches.values where branch.owner == id { total += branch.historyBytes }
        if let volume = volumes[id] {
            total += volume.states.capacity * MemoryLayout<Volume.StateRecord>.stride
            total += volume.events.capacity * MemoryLayout<Volume.Event>.stride
        }
        return total
    }

    /// Page versions across the store, for deciding when a sweep pays for itself.
    var versionCount: Int {
        branches.values.reduce(0) { sum, branch in
            sum + branch.files.values.reduce(0) { $0 + $1.pages.values.reduce(0) { $0 + $1.versions.count } }
        }
    }
}

extension Array {
    /// A copy in a buffer of just the needed size. `removeFirst`, slicing and `Array(_:)` all keep the old
    /// buffer, so without this, memory trimmed from the front of a long history would never return.
    func reallocated() -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
