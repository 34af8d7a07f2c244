import ArgumentParser
import ClusterControl
import Hummingbird
import MySQLServer
import PageStore
import RDSServer

#if canImport(Glibc)
    import Glibc
#endif

/// `backtrack serve`: the in-memory simulator with its MySQL and RDS endpoints, in the foreground.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the simulator: the RDS API and a MySQL endpoint per cluster, until SIGINT or SIGTERM.",
        discussion: """
            The RDS Query API listens on 127.0.0.1:4566 (aws --endpoint-url http://127.0.0.1:4566). By default \
            each cluster listens on its own loopback address (127.0.0.2, 127.0.0.3, ...) on port 3306, so the \
            workshop's commands work unchanged for a cluster and its clone. --endpoints ports gives each cluster \
            its own port on 127.0.0.1 instead, counting up from --mysql-port. With --clock manual or offset, \
            POST /_backtrack/clock with advance=SECONDS or set=TIME moves the simulated time (not an AWS API).
            """)

    enum ClockMode: String, ExpressibleByArgument, CaseIterable {
        case system, offset, manual
    }

    enum EndpointMode: String, ExpressibleByArgument, CaseIterable {
        case addresses, ports
    }

    @Option(name: .customLong("cluster"), help: "Create a ready cluster with a writer instance (repeatable).")
    var clusters: [String] = []

    @Option(help: "The clusters' engine: aurora (the workshop's) or aurora-mysql.")
    var engine = "aurora"

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

    @Option(
        help: ArgumentHelp(
            "Microseconds a connection's thread polls for its next statement before it sleeps (0: at once).",
            discussion: "Polling spends idle CPU, on at most all cores but one, to save a thread wake per statement."))
    var busyPoll = 400

    @Option(help: "The RDS API's port on 127.0.0.1 (0 picks a free one).")
    var rdsPort = 4566

    @Option(
        help:
            "system: real time; offset: real time that /_backtrack/clock can move; manual: frozen time that moves only by /_backtrack/clock."
    )
    var clock: ClockMode = .system

    @Option(help: "The simulated time to start at (ISO 8601), with --clock offset or manual.")
    var startTime: String?

    func validate() throws {
        guard (0...65535).contains(mysqlPort) else { throw ValidationError("--mysql-port must be from 0 to 65535") }
        guard operationDelay >= 0, operationDelay <= 3600 else {
            throw ValidationError("--operation-delay must be from 0 to 3600 seconds")
        }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard (0...100_000).contains(busyPoll) else { throw ValidationError("--busy-poll must be from 0 to 100000") }
        guard (0...65535).contains(rdsPort) else { throw ValidationError("--rds-port must be from 0 to 65535") }
        if let startTime {
            guard Timestamp(iso8601: startTime) != nil else {
                throw ValidationError("--start-time must be an ISO 8601 time, such as 2026-11-21T09:00:00Z")
            }
            guard clock != .system else { throw ValidationError("--start-time needs --clock offset or manual") }
        }
    }

    func run() async throws {
        let plan: EndpointPlan =
            endpoints == .addresses
            ? .loopbackAddresses(port: mysqlPort) : .loopbackPorts(host: "127.0.0.1", firstPort: mysqlPort)
        let drivable =
            clock == .system
            ? nil : OffsetClock(frozen: clock == .manual, start: startTime.flatMap(Timestamp.init(iso8601:)))
        let control = ClusterControl(
            clock: drivable ?? SystemClock(),
            settings: ControlSettings(operationDelay: .milliseconds(Int64(operationDelay * 1000)), endpoints: plan))
        do {
            let ids = clusters.map { ClusterID($0) }
            for id in ids {
                try control.createCluster(
                    NewCluster(
                        identifier: id, engine: engine, masterUsername: user, masterUserPassword: password,
                        databaseName: database, backtrackWindow: backtrackWindow))
            }
            // A cluster takes instances once it is available, after the operation delay.
            if !ids.isEmpty { try await Task.sleep(for: control.settings.operationDelay) }
            for id in ids {
                try control.createInstance(NewInstance(identifier: InstanceID("\(id)-instance"), cluster: id))
            }
            if !ids.isEmpty { try await Task.sleep(for: control.settings.operationDelay) }  // ready when announced
        } catch let error as RDSError {
            throw ValidationError("\(error.code.rawValue): \(error.message)")
        }
        let server = MySQLServer(
            control: control,
            configuration: MySQLServer.Configuration(maxConnections: maxConnections, busyPoll: .microseconds(busyPoll)),
            log: { say("mysql: \($0)") })
        let failures = server.start()
        if !failures.isEmpty {
            server.shutdown()
            let (endpoint, why) = failures.first!
            throw ValidationError("cannot listen on \(endpoint): \(why)")
        }
        let rds = RDSServer(control: control, clock: drivable.map(AdminClock.init))
        let app = rds.application(host: "127.0.0.1", port: rdsPort) { port in
            say("rds: aws rds --endpoint-url http://127.0.0.1:\(port) ...")
            say("backtrack serve: \(clusters.count) cluster(s) ready; stop with Ctrl-C")
        }
        do {
            try await app.runService()  // returns on SIGINT or SIGTERM
        } catch {
            server.shutdown()
            throw ValidationError("cannot serve the RDS API on 127.0.0.1:\(rdsPort): \(error)")
        }
        server.shutdown()
        say("backtrack serve: stopped")
    }
}

/// Prints a line and flushes at once: `serve` runs under scripts that wait for its lines.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
