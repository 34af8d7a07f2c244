import ArgumentParser
import ClusterControl
import Dispatch
import MySQLServer
import PageStore

#if canImport(Glibc)
    import Glibc
#endif

/// `backtrack serve`: the in-memory simulator with its MySQL endpoints, in the foreground.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulator with a MySQL endpoint per cluster, until SIGINT or SIGTERM.",
        discussion: """
            By default each cluster listens on its own loopback address (127.0.0.2, 127.0.0.3, ...) on port \
            3306, so the workshop's commands work unchanged for a cluster and its clone. --endpoints ports gives \
            each cluster its own port on 127.0.0.1 instead, counting up from --mysql-port.
            """)

    enum EndpointMode: String, ExpressibleByArgument, CaseIterable {
        case addresses, ports
    }

    @Option(name: .customLong("cluster"), help: "Create a ready cluster with a writer instance (repeatable).")
    var clusters: [String] = []

    @Option(help: "The clusters' default database.")
    var database = "mylab"

    @Option(help: "The clusters' master user.")
    var user = "masteruser"

    @Option(help: "The clusters' master password.")
    var password = "Password1"

    @Option(help: "The clusters' backtrack window in seconds (0 disables backtracking).")
    var backtrackWindow: Int64 = 86_400

    @Option(help: "One loopback address per cluster, or one port per cluster on 127.0.0.1.")
    var endpoints: EndpointMode = .addresses

    @Option(help: "The MySQL port (addresses mode), or the first cluster's port (ports mode).")
    var mysqlPort = 3306

    @Option(help: "Seconds that creating, modifying and backtracking appear to take.")
    var operationDelay: Double = 0

    @Option(help: "Most MySQL connections at once.")
    var maxConnections = 512

    func validate() throws {
        guard (0...65535).contains(mysqlPort) else { throw ValidationError("--mysql-port must be from 0 to 65535") }
        guard operationDelay >= 0, operationDelay <= 3600 else {
            throw ValidationError("--operation-delay must be from 0 to 3600 seconds")
        }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
    }

    func run() throws {
        let plan: EndpointPlan =
            endpoints == .addresses
            ? .loopbackAddresses(port: mysqlPort) : .loopbackPorts(host: "127.0.0.1", firstPort: mysqlPort)
        let control = ClusterControl(
            clock: SystemClock(),
            settings: ControlSettings(operationDelay: .milliseconds(Int64(operationDelay * 1000)), endpoints: plan))
        do {
            for name in clusters {
                let id = ClusterID(name)
                try control.createCluster(
                    NewCluster(
                        identifier: id, masterUsername: user, masterUserPassword: password, databaseName: database,
                        backtrackWindow: backtrackWindow))
                try control.createInstance(NewInstance(identifier: InstanceID("\(id)-instance"), cluster: id))
            }
        } catch {
            throw ValidationError("\(error.code.rawValue): \(error.message)")
        }
        let server = MySQLServer(
            control: control, configuration: MySQLServer.Configuration(maxConnections: maxConnections),
            log: { say("mysql: \($0)") })
        let failures = server.start()
        if !failures.isEmpty {
            server.shutdown()
            let (endpoint, why) = failures.first!
            throw ValidationError("cannot listen on \(endpoint): \(why)")
        }
        say("backtrack serve: \(clusters.count) cluster(s) ready; stop with Ctrl-C")
        waitForTermination()
        server.shutdown()
        say("backtrack serve: stopped")
    }

    /// Blocks until SIGINT or SIGTERM.
    private func waitForTermination() {
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        sources.forEach { $0.cancel() }
    }
}

/// Prints a line and flushes at once: `serve` runs under scripts that wait for its lines.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
