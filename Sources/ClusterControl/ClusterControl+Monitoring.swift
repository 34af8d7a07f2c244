import PageStore

extension ClusterControl {
    /// `DescribeEvents`: events oldest first, optionally of one source type or source, at or after `since`.
    public func events(
        sourceType: RDSEvent.SourceType? = nil, sourceIdentifier: String? = nil, since: Timestamp? = nil
    ) -> [RDSEvent] {
        store.sweep()
        return
            (try? withState { state throws(RDSError) in
                raiseWindowEvents(&state)
                return state.events.filter { event in
                    (sourceType == nil || event.sourceType == sourceType)
                        && (sourceIdentifier == nil || event.sourceIdentifier == sourceIdentifier?.lowercased())
                        && (since == nil || event.date >= since!)
                }
            }) ?? []
    }

    /// The cluster's backtrack metrics now (CloudWatch's `BacktrackChangeRecordsStored`,
    /// `BacktrackChangeRecordsCreationRate`, `BacktrackWindowActual`) and its history bytes.
    public func metrics(_ id: ClusterID) throws(RDSError) -> BacktrackMetrics {
        // A sweep applies byte budgets, as Aurora's own accounting would have by the time metrics are read.
        store.sweep()
        return try withState { state throws(RDSError) in
            raiseWindowEvents(&state)
            let cluster = try state.cluster(id)
            let now = clock.now()
            let report = try storeCall { () throws(PageStoreError) in try store.retention(of: cluster.volume) }
            let recent = try storeCall { () throws(PageStoreError) in
                try store.commitCount(of: cluster.volume, since: now.adding(seconds: -300))
            }
            return BacktrackMetrics(
                changeRecordsStored: cluster.backtrackWindow > 0 ? report.changeRecords : 0,
                changeRecordsCreationRate: cluster.backtrackWindow > 0 ? recent : 0,
                windowActualMinutes: shortfall(cluster, report, now: now) / 60,
                actualWindowSeconds: report.actualWindowSeconds, targetWindowSeconds: cluster.backtrackWindow,
                historyBytes: report.historyBytes, liveBytes: report.liveBytes)
        }
    }

    /// Seconds by which the actual window falls short of what the target allows: 0 while the cluster is younger
    /// than its window, positive only when history was given up early (a byte budget).
    private func shortfall(_ cluster: ClusterRecord, _ report: RetentionReport, now: Timestamp) -> Int64 {
        guard cluster.backtrackWindow > 0, let earliest = report.earliestBacktrackTime else { return 0 }
        let possible = max(cluster.createTime, now.adding(seconds: -cluster.backtrackWindow))
        return max(0, (earliest.microseconds - possible.microseconds) / 1_000_000)
    }

    /// RDS-EVENT-0131 when a cluster's actual window falls short of its target, RDS-EVENT-0132 when it is whole
    /// again. Raised on the writer instance, as Aurora does, when someone looks (events or metrics).
    private func raiseWindowEvents(_ state: inout ControlState) {
        let now = clock.now()
        for cluster in state.clusters.values where cluster.backtrackWindow > 0 {
            guard let report = try? store.retention(of: cluster.volume) else { continue }
            let short = shortfall(cluster, report, now: now) > 0
            guard short != cluster.windowShort else { continue }
            cluster.windowShort = short
            let source = cluster.instances.first?.rawValue ?? cluster.id.rawValue
            let type: RDSEvent.SourceType = cluster.instances.isEmpty ? .dbCluster : .dbInstance
            if short {
                state.event(
                    "RDS-EVENT-0131", source, type,
                    "The actual Backtrack window is smaller than the target Backtrack window you specified. "
                        + "Consider reducing the number of hours in your target Backtrack window.", ["backtrack"], now)
            } else {
                state.event(
                    "RDS-EVENT-0132", source, type,
                    "The actual Backtrack window is the same as the target Backtrack window.", ["backtrack"], now)
            }
        }
    }
}
