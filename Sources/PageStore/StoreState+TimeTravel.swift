/// Volumes, backtracks, clones, restores and read views.
extension StoreState {
    mutating func createVolume(settings: RetentionSettings, clock: Timestamp) throws(PageStoreError) -> VolumeID {
        try validate(settings)
        let id = takeVolumeID()
        let branch = newBranch(parent: nil, owner: id, tip: .zero)
        volumes[id] = Volume(
            id: id, createdAt: clock, head: Position(branch: branch.id, lsn: .zero), digest: 0, settings: settings)
        return id
    }

    mutating func setRetention(_ settings: RetentionSettings, of id: VolumeID, clock: Timestamp)
        throws(PageStoreError)
    {
        try validate(settings)
        let volume = try self.volume(id)
        volume.update(settings, now: volume.observe(clock))
    }

    func validate(_ settings: RetentionSettings) throws(PageStoreError) {
        guard settings.windowSeconds >= 0 else { throw .invalidWindow(settings.windowSeconds) }
        guard settings.restoreWindowSeconds >= 0 else { throw .invalidWindow(settings.restoreWindowSeconds) }
    }

    mutating func deleteVolume(_ id: VolumeID) throws(PageStoreError) {
        let volume = try self.volume(id)
        guard volume.readViews == 0 else { throw .historyPinned(id, readViews: volume.readViews) }
        volumes[id] = nil
        retainedPositionsDropped = true
        // Its branches stay until the next sweep, which keeps what clones of it still read through.
    }

    /// Moves the head to the state the volume had at `time` (DESIGN.md, wall-clock history): O(log events).
    mutating func backtrack(_ id: VolumeID, to time: Timestamp, clock: Timestamp) throws(PageStoreError)
        -> ResolvedState
    {
        let volume = try self.volume(id)
        let now = volume.observe(clock)
        guard let earliest = volume.earliestBacktrackTime(now: now) else { throw .backtrackDisabled(id) }
        let event = try resolveEvent(volume, time: time, earliest: earliest, now: now)
        let state = volume.state(event.state)
        if state.position != volume.head { volume.memo.invalidate() }
        volume.head = state.position
        volume.events.append(Volume.Event(time: now, state: event.state))
        return ResolvedState(position: state.position, time: state.time, digest: state.digest)
    }

    /// The state at `time` without moving anything: O(log events).
    func state(of id: VolumeID, at time: Timestamp, clock: Timestamp) throws(PageStoreError) -> ResolvedState {
        let volume = try self.volume(id)
        let now = volume.observe(clock)
        let event = try resolveEvent(volume, time: time, earliest: volume.earliestRestoreTime(now: now), now: now)
        let state = volume.state(event.state)
        return ResolvedState(position: state.position, time: state.time, digest: state.digest)
    }

    func headState(of id: VolumeID) throws(PageStoreError) -> ResolvedState {
        let state = try volume(id).headState
        return ResolvedState(position: state.position, time: state.time, digest: state.digest)
    }

    private func resolveEvent(_ volume: Volume, time: Timestamp, earliest: Timestamp, now: Timestamp)
        throws(PageStoreError) -> Volume.Event
    {
        guard time <= now else { throw .timeInFuture(requested: time, now: now) }
        guard time >= earliest, let event = volume.event(atOrBefore: time) else {
            throw .timeBeforeEarliestBacktrack(requested: time, earliest: earliest)
        }
        return event
    }

    /// A new volume holding the source's state at `time` (its head if nil).
    mutating func restore(
        _ sourceID: VolumeID, at time: Timestamp?, mode: RestoreMode, settings: RetentionSettings, clock: Timestamp
    ) throws(PageStoreError) -> VolumeID {
        try validate(settings)
        let source = try self.volume(sourceID)
        let state =
            if let time { try self.state(of: sourceID, at: time, clock: clock) } else { try headState(of: source.id) }
        let id = takeVolumeID()
        let now = source.observe(clock)
        switch mode {
        case .copyOnWrite:
            // O(1): a branch whose parent is the source position. No page is copied.
            let branch = newBranch(parent: state.position, owner: id, tip: state.position.lsn)
            volumes[id] = Volume(
                id: id, createdAt: now, head: Position(branch: branch.id, lsn: state.position.lsn),
                digest: state.digest, settings: settings)
        case .fullCopy:
            let lsn = takeLSN()
            let branch = newBranch(parent: nil, owner: id, tip: lsn)
            copyState(at: state.position, into: branch, lsn: lsn)
            volumes[id] = Volume(
                id: id, createdAt: now, head: Position(branch: branch.id, lsn: lsn), digest: state.digest,
                settings: settings)
        }
        return id
    }

    /// Copies every file and page of a state into an empty root branch, as one commit at `lsn`.
    private mutating func copyState(at position: Position, into branch: Branch, lsn: LSN) {
        for (_, head) in catalog(at: position) {
            var file = BranchFile(shapes: [BranchFile.ShapeVersion(lsn: lsn, shape: head.shape)])
            if head.shape.pageCount > 0 {
                for raw in 1...head.shape.pageCount {
                    guard let image = image(of: head.id, page: PageNumber(raw), at: position) else { continue }
                    let copy = image.withBytes { PageImage(copying: $0) }
                    _ = file.pages[raw, default: PageLog()].append(lsn: lsn, image: copy, records: &records)
                }
            }
            branch.files[head.id] = file
        }
    }

    mutating func pin(_ position: Position, volume: VolumeID) {
        pins[position, default: 0] += 1
        volumes[volume]?.readViews += 1
    }

    mutating func unpin(_ position: Position, volume: VolumeID) {
        retainedPositionsDropped = true
        if let count = pins[position], count > 1 { pins[position] = count - 1 } else { pins[position] = nil }
        volumes[volume]?.readViews -= 1
    }

    private mutating func takeVolumeID() -> VolumeID {
        let id = VolumeID(rawValue: nextVolume)
        nextVolume += 1
        return id
    }
}
