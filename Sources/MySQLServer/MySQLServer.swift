import ClusterControl
import NIOCore
import NIOPosix
import Synchronization

/// The MySQL endpoints of a control plane: one listener per cluster endpoint, opened and closed as clusters come
/// and go. Each connection authenticates as its cluster's master user and gets its own SQL session.
public final class MySQLServer: Sendable {
    public struct Configuration: Sendable {
        public var maxConnections: Int
        /// `max_allowed_packet`: the largest logical packet (a statement is at most this long).
        public var maxPacketBytes: Int
        public var serverVersion: String
        /// How long a connection's thread, and the event loop while a command runs, poll for work before they
        /// sleep (`SessionWorker`); zero makes them sleep at once. Polling trades idle CPU for round trips.
        public var busyPoll: Duration

        public init(
            maxConnections: Int = 512, maxPacketBytes: Int = 64 << 20, serverVersion: String = "8.0.32-Backtrack",
            busyPoll: Duration = .microseconds(400)
        ) {
            self.maxConnections = maxConnections
            self.maxPacketBytes = maxPacketBytes
            self.serverVersion = serverVersion
            self.busyPoll = busyPoll
        }
    }

    let shared: ServerShared
    private let group: MultiThreadedEventLoopGroup
    private let listeners = Mutex<[Endpoint: Listener]>([:])
    /// Called with a line for each listener opened, closed or failed.
    private let log: @Sendable (String) -> Void

    private struct Listener {
        var cluster: ClusterID
        var channel: Channel
    }

    public init(
        control: ClusterControl, configuration: Configuration = Configuration(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        shared = ServerShared(control: control, configuration: configuration)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.log = log
    }

    /// Opens listeners for every cluster now and keeps them in step with the control plane from then on.
    /// Returns the endpoints that failed to bind, with why.
    @discardableResult
    public func start() -> [Endpoint: String] {
        shared.control.observeClusters { [weak self] in self?.sync() }
        return sync()
    }

    /// The endpoints being served, each with its cluster.
    public var endpoints: [Endpoint: ClusterID] {
        listeners.withLock { $0.mapValues(\.cluster) }
    }

    /// The port a listener actually bound (for endpoints asked with port 0).
    public func boundPort(of endpoint: Endpoint) -> Int? {
        listeners.withLock { $0[endpoint]?.channel.localAddress?.port }
    }

    /// Opens listeners for new clusters and closes those of clusters that are gone.
    @discardableResult
    public func sync() -> [Endpoint: String] {
        let wanted = Dictionary(
            shared.control.clusters().map { ($0.endpoint, $0.identifier) }, uniquingKeysWith: { first, _ in first })
        var failures: [Endpoint: String] = [:]
        let stale = listeners.withLock { listeners in
            let gone = listeners.filter { wanted[$0.key] != $0.value.cluster }
            for key in gone.keys { listeners[key] = nil }
            return gone
        }
        for (endpoint, listener) in stale {
            listener.channel.close(promise: nil)
            log("closed \(endpoint) (\(listener.cluster))")
        }
        for (endpoint, cluster) in wanted.sorted(by: { $0.value < $1.value })
        where listeners.withLock({ $0[endpoint] == nil }) {
            do {
                let channel = try bind(endpoint, cluster: cluster)
                listeners.withLock { $0[endpoint] = Listener(cluster: cluster, channel: channel) }
                log("\(cluster): mysql -h \(endpoint.host) -P \(channel.localAddress?.port ?? endpoint.port)")
            } catch {
                failures[endpoint] = "\(error)"
                log("cannot listen on \(endpoint) for \(cluster): \(error)")
            }
        }
        return failures
    }

    private func bind(_ endpoint: Endpoint, cluster: ClusterID) throws -> Channel {
        let shared = shared
        return try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(PacketDecoder(payloadMax: shared.configuration.maxPacketBytes)))
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(cluster: cluster, shared: shared))
                }
            }
            .bind(host: endpoint.host, port: endpoint.port).wait()
    }

    /// Closes every listener and connection and stops the threads.
    public func shutdown() {
        let all = listeners.withLock { listeners in
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for listener in all { try? listener.channel.close().wait() }
        try? group.syncShutdownGracefully()
        // Closing the connections stopped their threads; each ends once its running statement has.
        shared.workers.waitForAll(limit: .seconds(30))
    }
}

/// What every connection of a server shares.
final class ServerShared: Sendable {
    let control: ClusterControl
    let configuration: MySQLServer.Configuration
    let connections: ConnectionCounter
    let workers = LiveWorkers()
    /// `configuration.busyPoll` in the event loop's unit, converted once.
    let busyPoll: TimeAmount

    init(control: ClusterControl, configuration: MySQLServer.Configuration) {
        self.control = control
        self.configuration = configuration
        connections = ConnectionCounter(max: configuration.maxConnections)
        busyPoll = TimeAmount(configuration.busyPoll)
    }

    func scramble() -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        return Auth.scramble(&random)
    }
}

/// Open connections against the limit, and connection ids.
final class ConnectionCounter: Sendable {
    private let state = Mutex<(open: Int, nextID: UInt32)>((0, 1))
    let max: Int

    init(max: Int) { self.max = max }

    func admit() -> Bool {
        state.withLock { state in
            guard state.open < max else { return false }
            state.open += 1
            return true
        }
    }

    func release() { state.withLock { $0.open -= 1 } }

    func nextID() -> UInt32 {
        state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
    }
}
