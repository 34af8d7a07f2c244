import ClusterControl
import NIOCore
import NIOPosix
import SQLFacade

/// One client connection: the handshake, then commands, one at a time. Everything that touches SQLite runs on
/// the connection's own `SessionWorker`, never on the event loop; the handler's own state is touched on its event
/// loop only.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Packet
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case greeted(scramble: [UInt8])
        case switchingAuth(Handshake.Response, plugin: String, scramble: [UInt8])
        case commands
        case closed
    }

    private let cluster: ClusterID
    private let shared: ServerShared
    private var phase: Phase = .closed
    private var connectionID: UInt32 = 0
    private var session: ClusterSession?
    private var statements = PreparedStatements()
    /// Packets that arrived while a command ran; MySQL clients wait for each reply, but nothing forbids this.
    private var queue: [Packet] = []
    private var busy = false
    private var counted = false
    /// Started by the first command that needs SQLite (authentication opens the session).
    private var worker: SessionWorker?
    /// Until when the event loop polls rather than sleeps, while a command of this connection runs.
    private var pollingUntil: NIODeadline?

    init(cluster: ClusterID, shared: ServerShared) {
        self.cluster = cluster
        self.shared = shared
    }

    // MARK: Connection phase

    func channelActive(context: ChannelHandlerContext) {
        guard shared.connections.admit() else {
            send([Replies.error(.tooManyConnections, allocator: context.channel.allocator)], from: 0, context: context)
            context.close(promise: nil)
            return
        }
        counted = true
        connectionID = shared.connections.nextID()
        let scramble = shared.scramble()
        phase = .greeted(scramble: scramble)
        let greeting = Handshake.greeting(
            version: shared.configuration.serverVersion, connectionID: connectionID, scramble: scramble,
            allocator: context.channel.allocator)
        send([greeting], from: 0, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        if counted { shared.connections.release() }
        counted = false
        if let session { worker?.submit { session.close() } }
        session = nil
        worker?.stop()
        worker = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        queue.append(unwrapInboundIn(data))
        drain(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is PacketTooLarge {
            send([Replies.error(.packetTooLarge, allocator: context.channel.allocator)], from: 1, context: context)
        }
        context.close(promise: nil)
    }

    private func drain(context: ChannelHandlerContext) {
        while !busy, !queue.isEmpty {
            let packet = queue.removeFirst()
            handle(packet, context: context)
        }
    }

    private func handle(_ packet: Packet, context: ChannelHandlerContext) {
        let next = packet.sequence &+ 1
        switch phase {
        case .greeted(let scramble):
            guard let response = Handshake.parseResponse(packet.payload) else {
                return fail(.badHandshake, sequence: next, context: context)
            }
            if response.plugin == Auth.cachingSHA2 && response.authResponse.count == 32
                || response.plugin == Auth.nativePassword && response.authResponse.count == 20
                || response.authResponse.isEmpty && response.plugin == Auth.nativePassword
            {
                authenticate(response, plugin: response.plugin, scramble: scramble, sequence: next, context: context)
            } else {
                // A client that wants another plugin (libmysqlclient's caching_sha2_password default sends an
                // empty response): switch it to that plugin if we know it, else to native passwords.
                let plugin = response.plugin == Auth.cachingSHA2 ? Auth.cachingSHA2 : Auth.nativePassword
                let fresh = shared.scramble()
                phase = .switchingAuth(response, plugin: plugin, scramble: fresh)
                let request = Handshake.authSwitch(
                    plugin: plugin, scramble: fresh, allocator: context.channel.allocator)
                send([request], from: next, context: context)
            }
        case .switchingAuth(var response, let plugin, let scramble):
            response.authResponse = Array(packet.payload.readableBytesView)
            authenticate(response, plugin: plugin, scramble: scramble, sequence: next, context: context)
        case .commands:
            command(packet, context: context)
        case .closed:
            break
        }
    }

    private func authenticate(
        _ response: Handshake.Response, plugin: String, scramble: [UInt8], sequence: UInt8,
        context: ChannelHandlerContext
    ) {
        let host = remoteHost(context)
        guard let credentials = shared.control.masterCredentials(of: cluster), response.user == credentials.user,
            Auth.verify(response.authResponse, plugin: plugin, password: credentials.password, scramble: scramble)
        else {
            return fail(.accessDenied(user: response.user, host: host), sequence: sequence, context: context)
        }
        var sequence = sequence
        if plugin == Auth.cachingSHA2 {
            var fastAuth = context.channel.allocator.buffer(capacity: 2)
            fastAuth.writeBytes([0x01, 0x03])  // AuthMoreData: fast authentication succeeded
            sequence = send([fastAuth], from: sequence, context: context)
        }
        let control = shared.control
        let cluster = cluster
        let connectionID = connectionID
        let collation = UInt16(response.collation)
        run(context: context, sequence: sequence) { () throws(MySQLError) -> ClusterSession in
            let session = try control.connect(to: cluster, database: response.database, host: host)
            try session.withSession { session throws(MySQLError) in
                session.clientCollation = collation
                session.connectionID = connectionID
            }
            return session
        } reply: { handler, session, sequence, context in
            handler.session = session
            handler.phase = .commands
            let channel = context.channel
            session.onEnd { _ in channel.close(promise: nil) }
            return [Replies.ok(status: .autocommit, allocator: context.channel.allocator)]
        } failed: { handler, _, context in
            handler.phase = .closed
            context.close(promise: nil)
        }
    }

    // MARK: Command phase

    private func command(_ packet: Packet, context: ChannelHandlerContext) {
        var payload = packet.payload
        let next = packet.sequence &+ 1
        guard let code = payload.readInteger(as: UInt8.self), let session else {
            return fail(.malformedPacket, sequence: next, context: context)
        }
        switch code {
        case 0x01:  // COM_QUIT
            phase = .closed
            context.close(promise: nil)
        case 0x0E:  // COM_PING
            statusReply(session, sequence: next, context: context)
        case 0x02:  // COM_INIT_DB
            let name = payload.readString(length: payload.readableBytes) ?? ""
            query("USE `\(name.replacingOccurrences(of: "`", with: "``"))`", session, next, context: context)
        case 0x03:  // COM_QUERY
            query(payload.readString(length: payload.readableBytes) ?? "", session, next, context: context)
        case 0x04:  // COM_FIELD_LIST
            guard let table = payload.readNullTerminatedString() else {
                return fail(.malformedPacket, sequence: next, context: context)
            }
            fieldList(table, session, next, context: context)
        case 0x16:  // COM_STMT_PREPARE
            prepare(payload.readString(length: payload.readableBytes) ?? "", session, next, context: context)
        case 0x17:  // COM_STMT_EXECUTE
            do {
                let (statement, values) = try statements.decodeExecute(&payload)
                execute(statement.sql, values, binary: true, session, next, context: context)
            } catch .unknownStatement(let id) {
                refuse(.unknownStatement(id, in: "mysqld_stmt_execute"), sequence: next, context: context)
            } catch {
                fail(.malformedPacket, sequence: next, context: context)
            }
        case 0x19:  // COM_STMT_CLOSE: no reply
            if let id = payload.readUInt32() { statements.remove(id) }
        case 0x1A:  // COM_STMT_RESET
            guard let id = payload.readUInt32() else { return fail(.malformedPacket, sequence: next, context: context) }
            guard statements[id] != nil else {
                return refuse(.unknownStatement(id, in: "mysqld_stmt_reset"), sequence: next, context: context)
            }
            statusReply(session, sequence: next, context: context)
        default:
            refuse(.unknownCommand, sequence: next, context: context)
        }
    }

    private func query(_ sql: String, _ session: ClusterSession, _ sequence: UInt8, context: ChannelHandlerContext) {
        execute(sql, [], binary: false, session, sequence, context: context)
    }

    private func execute(
        _ sql: String, _ parameters: [SQLValue], binary: Bool, _ session: ClusterSession, _ sequence: UInt8,
        context: ChannelHandlerContext
    ) {
        run(context: context, sequence: sequence) { () throws(MySQLError) -> (QueryResult, StatusFlags) in
            try session.withSession { session throws(MySQLError) in
                (try session.execute(sql, parameters: parameters), Self.status(session))
            }
        } reply: { _, outcome, _, context in
            let (result, status) = outcome
            let allocator = context.channel.allocator
            if result.hasResultSet {
                return binary
                    ? Replies.binaryResultSet(result, status: status, allocator: allocator)
                    : Replies.textResultSet(result, status: status, allocator: allocator)
            }
            return [
                Replies.ok(
                    affectedRows: result.affectedRows, lastInsertID: result.lastInsertID, status: status,
                    warnings: result.warningCount, allocator: allocator)
            ]
        }
    }

    private func prepare(_ sql: String, _ session: ClusterSession, _ sequence: UInt8, context: ChannelHandlerContext) {
        guard statements.count < PreparedStatements.perConnectionMax else {
            return refuse(.tooManyStatements, sequence: sequence, context: context)
        }
        run(context: context, sequence: sequence) { () throws(MySQLError) -> StatementShape in
            try session.withSession { session throws(MySQLError) in try session.shape(of: sql) }
        } reply: { handler, shape, _, context in
            let allocator = context.channel.allocator
            let id = handler.statements.add(.init(sql: sql, parameterCount: shape.parameterCount))
            var ok = allocator.buffer(capacity: 12)
            ok.writeInteger(UInt8(0))
            ok.writeUInt32(id)
            ok.writeUInt16(UInt16(clamping: shape.columns.count))
            ok.writeUInt16(UInt16(clamping: shape.parameterCount))
            ok.writeInteger(UInt8(0))
            ok.writeUInt16(0)
            var payloads = [ok]
            if shape.parameterCount > 0 {
                let parameter = Column(
                    name: "?", type: .null, length: 0, flags: .binary, decimals: 0, charset: 63)
                payloads += Array(
                    repeating: Replies.column(parameter, allocator: allocator), count: shape.parameterCount)
                payloads.append(Replies.eof(status: .autocommit, allocator: allocator))
            }
            if !shape.columns.isEmpty {
                payloads += shape.columns.map { Replies.column($0, allocator: allocator) }
                payloads.append(Replies.eof(status: .autocommit, allocator: allocator))
            }
            return payloads
        }
    }

    /// COM_FIELD_LIST: the table's column definitions, each followed by a default value (none), then EOF.
    private func fieldList(
        _ table: String, _ session: ClusterSession, _ sequence: UInt8, context: ChannelHandlerContext
    ) {
        let quoted = "`\(table.replacingOccurrences(of: "`", with: "``"))`"
        run(context: context, sequence: sequence) { () throws(MySQLError) -> QueryResult in
            try session.execute("SELECT * FROM \(quoted) LIMIT 0")
        } reply: { _, result, _, context in
            let allocator = context.channel.allocator
            var payloads: [ByteBuffer] = result.columns.map { column in
                var buffer = Replies.column(column, allocator: allocator)
                buffer.writeInteger(UInt8(0xFB))
                return buffer
            }
            payloads.append(Replies.eof(status: .autocommit, allocator: allocator))
            return payloads
        }
    }

    private func statusReply(_ session: ClusterSession, sequence: UInt8, context: ChannelHandlerContext) {
        run(context: context, sequence: sequence) { () throws(MySQLError) -> StatusFlags in
            try session.withSession { session throws(MySQLError) in Self.status(session) }
        } reply: { _, status, _, context in
            [Replies.ok(status: status, allocator: context.channel.allocator)]
        }
    }

    static func status(_ session: Session) -> StatusFlags {
        var status: StatusFlags = session.autocommit ? [.autocommit] : []
        if session.isInTransaction { status.insert(.inTransaction) }
        return status
    }

    // MARK: Plumbing

    /// Runs `work` on the connection's worker, then, on the event loop, sends `reply`'s payloads or the error, and
    /// goes on with queued packets.
    private func run<T: Sendable>(
        context: ChannelHandlerContext, sequence: UInt8, _ work: @escaping @Sendable () throws(MySQLError) -> T,
        reply: @escaping (ConnectionHandler, T, UInt8, ChannelHandlerContext) -> [ByteBuffer],
        failed: ((ConnectionHandler, MySQLError, ChannelHandlerContext) -> Void)? = nil
    ) {
        guard let worker = startedWorker(sequence: sequence, context: context) else { return }
        busy = true
        let bound = NIOLoopBound((self, context, reply, failed), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: Result<T, MySQLError>.self)
        let submitted = worker.submit {
            do throws(MySQLError) { promise.succeed(.success(try work())) } catch { promise.succeed(.failure(error)) }
        }
        guard submitted else {
            // The connection is closing: its worker takes no more work.
            busy = false
            return promise.fail(ChannelError.ioOnClosedChannel)
        }
        pollWhileBusy(context: context)
        promise.futureResult.whenSuccess { outcome in
            let (handler, context, reply, failed) = bound.value
            handler.busy = false
            if case .closed = handler.phase { return }
            switch outcome {
            case .success(let value):
                handler.send(reply(handler, value, sequence, context), from: sequence, context: context)
            case .failure(let error):
                handler.send(
                    [Replies.error(error, allocator: context.channel.allocator)], from: sequence, context: context)
                failed?(handler, error, context)
            }
            handler.drain(context: context)
        }
    }

    /// The connection's worker, started on first use; nil (and ERR 1135 sent, and the connection closed) when the
    /// system will not start a thread.
    private func startedWorker(sequence: UInt8, context: ChannelHandlerContext) -> SessionWorker? {
        if let worker { return worker }
        do throws(SessionWorker.StartError) {
            let started = try SessionWorker(busyPoll: shared.busyPoll, live: shared.workers)
            worker = started
            return started
        } catch {
            fail(.cannotCreateThread(errno: error.code), sequence: sequence, context: context)
            return nil
        }
    }

    /// Keeps the event loop polling, rather than sleeping, while this connection's command runs, for at most
    /// `busyPoll`: most commands finish well inside it, and their reply then goes out without waking the loop
    /// (a wake costs about a third of a round trip on a virtual machine). The loop goes on serving every other
    /// channel between polls; a longer command finds it asleep and wakes it as usual.
    private func pollWhileBusy(context: ChannelHandlerContext) {
        let busyPoll = shared.busyPoll
        guard busyPoll > .zero else { return }
        let alreadyPolling = pollingUntil != nil
        pollingUntil = .now() + busyPoll
        if !alreadyPolling { poll(context: context) }
    }

    private func poll(context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().execute {
            guard self.busy, let until = self.pollingUntil, NIODeadline.now() < until else {
                self.pollingUntil = nil
                return
            }
            self.poll(context: context)
        }
    }

    /// Sends ERR and goes on: the stream is still in step.
    private func refuse(_ error: MySQLError, sequence: UInt8, context: ChannelHandlerContext) {
        send([Replies.error(error, allocator: context.channel.allocator)], from: sequence, context: context)
    }

    /// Sends ERR and closes: for mistakes after which the stream cannot be trusted.
    private func fail(_ error: MySQLError, sequence: UInt8, context: ChannelHandlerContext) {
        send([Replies.error(error, allocator: context.channel.allocator)], from: sequence, context: context)
        phase = .closed
        context.close(promise: nil)
    }

    /// Frames and writes payloads with consecutive sequence ids; returns the next id.
    @discardableResult
    private func send(_ payloads: [ByteBuffer], from sequence: UInt8, context: ChannelHandlerContext) -> UInt8 {
        var out = context.channel.allocator.buffer(capacity: payloads.reduce(0) { $0 + $1.readableBytes + 4 })
        var sequence = sequence
        for payload in payloads { sequence = out.writeFrames(payload, sequence: sequence) }
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        return sequence
    }

    private func remoteHost(_ context: ChannelHandlerContext) -> String {
        context.channel.remoteAddress?.ipAddress ?? "localhost"
    }
}
