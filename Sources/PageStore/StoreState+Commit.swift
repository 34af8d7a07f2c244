/// Commits: validate the whole batch first, then apply it, so that a commit is all or nothing.
extension StoreState {
    /// One file's part of a validated batch.
    private struct FilePlan {
        var name: String
        var old: FileShape?
        var new: FileShape?
        var writes: [(PageNumber, PageImage)]
    }

    mutating func commit(_ batch: CommitBatch, to volumeID: VolumeID, clock: Timestamp)
        throws(PageStoreError) -> CommitInfo
    {
        let volume = try self.volume(volumeID)
        let catalog = headCatalog(volume)
        let plans = try plan(batch, catalog: catalog)

        let time = volume.observe(clock)
        let lsn = takeLSN()
        var branch = branches[volume.head.branch]!
        if branch.tip != volume.head.lsn {
            // The head is behind its branch's tip (after a backtrack): this commit starts a new branch.
            branch = newBranch(parent: volume.head, owner: volumeID, tip: volume.head.lsn)
        }
        var digest = volume.headState.digest
        var grown = 0
        for plan in plans {
            grown += apply(plan, lsn: lsn, branch: branch, volume: volume, digest: &digest)
        }
        branch.tip = lsn
        branch.historyBytes += grown
        versionsSinceSweep += plans.reduce(0) { $0 + $1.writes.count }

        let position = Position(branch: branch.id, lsn: lsn)
        volume.head = position
        volume.states.append(
            Volume.StateRecord(position: position, time: time, digest: digest, isCommit: true, historyBytes: grown))
        volume.events.append(Volume.Event(time: time, state: volume.statesBase + volume.states.count - 1))
        return CommitInfo(lsn: lsn, position: position, time: time, digest: digest)
    }

    /// Checks every rule before anything changes.
    private func plan(_ batch: CommitBatch, catalog: [String: HeadMemo.FileHead]) throws(PageStoreError)
        -> [FilePlan]
    {
        var plans: [FilePlan] = []
        for name in batch.fileNames {
            guard !name.utf8.isEmpty, name.utf8.count <= 255 else { throw .invalidFileName(name) }
            let old = catalog[name]?.shape
            var new: FileShape?
            switch batch.changes[name] {
            case .create(let pageSize):
                guard old == nil else { throw .fileExists(name) }
                guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
                    throw .invalidPageSize(pageSize)
                }
                new = FileShape(pageSize: pageSize, pageCount: 0)
            case .delete:
                guard old != nil else { throw .unknownFile(name) }
            case nil:
                guard let old else { throw .unknownFile(name) }
                new = old
            }
            let writes = (batch.writes[name] ?? [:]).sorted { $0.key < $1.key }
            if var shape = new {
                shape.pageCount = batch.pageCounts[name] ?? max(shape.pageCount, writes.last?.key ?? 0)
                for (page, image) in writes {
                    guard page >= 1, page <= shape.pageCount else {
                        throw .pageOutOfRange(file: name, page: PageNumber(page), pageCount: shape.pageCount)
                    }
                    guard image.count == shape.pageSize else {
                        throw .pageSizeMismatch(file: name, expected: shape.pageSize, actual: image.count)
                    }
                }
                new = shape
            }
            plans.append(
                FilePlan(name: name, old: old, new: new, writes: writes.map { (PageNumber($0.key), $0.value) }))
        }
        return plans
    }

    /// Applies one file's part of a commit; returns the bytes history grew by.
    private mutating func apply(
        _ plan: FilePlan, lsn: LSN, branch: Branch, volume: Volume, digest: inout UInt64
    ) -> Int {
        let file = fileID(for: plan.name)
        let salt = fileNames[file]!.salt
        var grown = 0
        if plan.old != plan.new {
            if let old = plan.old {
                digest ^= PageHash.file(fileSalt: salt, pageSize: old.pageSize, pageCount: old.pageCount)
            }
            if let new = plan.new {
                digest ^= PageHash.file(fileSalt: salt, pageSize: new.pageSize, pageCount: new.pageCount)
            }
            branch.files[file, default: BranchFile()].shapes.append(BranchFile.ShapeVersion(lsn: lsn, shape: plan.new))
            grown += MemoryLayout<BranchFile.ShapeVersion>.stride
        }
        // Pages that stop existing get an absent version, so that a file regrown later reads zeros there.
        var kept: UInt32 = 0
        if let old = plan.old {
            if let new = plan.new, new.pageSize == old.pageSize { kept = min(new.pageCount, old.pageCount) }
            if old.pageCount > kept {
                let written = Set(plan.writes.map(\.0.rawValue))
                for raw in (kept + 1)...old.pageCount {
                    let page = PageNumber(raw)
                    let previous = headPage(volume, file: file, page: page)
                    guard previous.bytes != nil else { continue }
                    digest ^= PageHash.page(fileSalt: salt, page: page, contentHash: previous.contentHash)
                    guard !written.contains(raw) else { continue }
                    grown += branch.files[file, default: BranchFile()].pages[raw, default: PageLog()]
                        .append(lsn: lsn, image: nil, records: &records)
                    volume.memo.store(nil, file: file, page: page)
                }
            }
        }
        for (page, image) in plan.writes {
            if page.rawValue <= kept {
                let previous = headPage(volume, file: file, page: page)
                digest ^= PageHash.page(fileSalt: salt, page: page, contentHash: previous.contentHash)
            }
            digest ^= PageHash.page(fileSalt: salt, page: page, contentHash: image.contentHash)
            grown += branch.files[file, default: BranchFile()].pages[page.rawValue, default: PageLog()]
                .append(lsn: lsn, image: image, records: &records)
            volume.memo.store(image, file: file, page: page)
        }
        if let new = plan.new {
            volume.memo.catalog?[plan.name] = HeadMemo.FileHead(id: file, shape: new, salt: salt)
        } else {
            volume.memo.catalog?[plan.name] = nil
        }
        return grown
    }
}
