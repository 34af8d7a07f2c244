import PageStore

extension ClusterControl {
    /// `BacktrackDBCluster`: rewinds the cluster in place to the state it had at `backtrackTo` by the wall-clock
    /// history rule (forward too, after an earlier backtrack). Every session is ended first, its uncommitted work
    /// dropped. The record's `backtrackTo` is the consistent time reached: the commit time of the state restored.
    @discardableResult
    public func backtrack(_ request: BacktrackRequest) throws(RDSError) -> DBClusterBacktrack {
        let now = clock.now()
        // Validate and claim the cluster (status `backtracking`), so that no session can start meanwhile.
        let (cluster, target, identifier) = try withState { state throws(RDSError) in
            let cluster = try state.cluster(request.cluster)
            guard cluster.backtrackWindow > 0 else {
                throw .combination("Backtrack is not enabled for DB cluster \(cluster.id) (its BacktrackWindow is 0).")
            }
            try requireAvailable(cluster)
            guard !cluster.binlogEnabled || request.force else {
                throw .combination(
                    "Binary logging is enabled on DB cluster \(cluster.id); backtracking does not write binlog "
                        + "events. Use Force to backtrack anyway.")
            }
            guard request.backtrackTo <= now else {
                throw .value("The backtrack time \(request.backtrackTo.iso8601) is in the future.")
            }
            let report = try storeCall { () throws(PageStoreError) in try store.retention(of: cluster.volume) }
            var target = request.backtrackTo
            if let earliest = report.earliestBacktrackTime, target < earliest {
                guard request.useEarliestTimeOnPointInTimeUnavailable else {
                    throw .value(
                        "The backtrack time \(target.iso8601) is earlier than the earliest backtrack time "
                            + "\(earliest.iso8601) of DB cluster \(cluster.id). Use "
                            + "UseEarliestTimeOnPointInTimeUnavailable to backtrack to the earliest time instead.")
                }
                target = earliest
            }
            cluster.phase = Phase(status: .backtracking)
            return (Unchecked(cluster), target, state.uuid())
        }
        // Outside the control plane's lock: ending a session waits for its running statement.
        cluster.value.sessions.endAll(because: "the cluster was backtracked")
        return try withState { state throws(RDSError) in
            let record = cluster.value
            let resolved: ResolvedState
            do throws(PageStoreError) {
                resolved = try store.backtrack(record.volume, to: target)
            } catch {
                record.backtracks.append(
                    BacktrackRecord(
                        record: DBClusterBacktrack(
                            cluster: record.id, identifier: identifier, backtrackTo: target, backtrackedFrom: now,
                            requestCreationTime: now, status: .failed)))
                record.phase = Phase(status: .available)
                throw .internalFailure(error)
            }
            let phase = busy(ClusterStatus.backtracking)
            let done = phase.status(at: .now, after: .available) == .available
            let result = DBClusterBacktrack(
                cluster: record.id, identifier: identifier, backtrackTo: resolved.time, backtrackedFrom: now,
                requestCreationTime: now, status: done ? .completed : .applying)
            record.backtracks.append(BacktrackRecord(record: result, applyingUntil: done ? nil : phase.until))
            record.phase = done ? Phase(status: .available) : phase
            // A pending record shows the time asked for (or the earliest, with the flag), as AWS's response does;
            // the resolved time shows once it completes.
            return done
                ? result
                : with(result) {
                    $0.status = .pending
                    $0.backtrackTo = target
                }
        }
    }

    /// Backtracks `cluster` to `time`: the common case of `backtrack(_:)`.
    @discardableResult
    public func backtrack(_ cluster: ClusterID, to time: Timestamp) throws(RDSError) -> DBClusterBacktrack {
        try backtrack(BacktrackRequest(cluster: cluster, backtrackTo: time))
    }

    /// `DescribeDBClusterBacktracks`: the cluster's backtracks, newest first, optionally one by its identifier
    /// (`DBClusterBacktrackNotFoundFault` if unknown) or those with the given statuses.
    public func backtracks(
        of id: ClusterID, identifier: String? = nil, statuses: Set<BacktrackStatus>? = nil
    ) throws(RDSError) -> [DBClusterBacktrack] {
        try withState { state throws(RDSError) in
            let records = try state.cluster(id).backtracks.reversed().map(\.record)
            if let identifier {
                guard let match = records.first(where: { $0.identifier == identifier.lowercased() }) else {
                    throw RDSError(.dbClusterBacktrackNotFound, "Backtrack \(identifier) not found.")
                }
                return [match]
            }
            guard let statuses else { return records }
            return records.filter { statuses.contains($0.status) }
        }
    }
}

/// A reference carried out of the control plane's lock and back in. Safe for cluster records: their fields are
/// only touched under the lock, except for the session registry, which has its own.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}

extension Timestamp {
    /// ISO 8601 in UTC with whole seconds, as AWS messages print times.
    var iso8601: String { iso8601(fractionDigits: 0) }
}
