import NIOCore

/// Capability flags the server offers (`mysql-protocol.md` §3.1): bit 0 set, so MariaDB clients speak plain
/// MySQL; no SSL and no DEPRECATE_EOF, so every client gets classic EOF packets.
struct Capabilities: OptionSet {
    let rawValue: UInt32
    static let longPassword = Capabilities(rawValue: 1 << 0)
    static let foundRows = Capabilities(rawValue: 1 << 1)
    static let longFlag = Capabilities(rawValue: 1 << 2)
    static let connectWithDB = Capabilities(rawValue: 1 << 3)
    static let protocol41 = Capabilities(rawValue: 1 << 9)
    static let transactions = Capabilities(rawValue: 1 << 13)
    static let secureConnection = Capabilities(rawValue: 1 << 15)
    static let multiResults = Capabilities(rawValue: 1 << 17)
    static let pluginAuth = Capabilities(rawValue: 1 << 19)
    static let connectAttributes = Capabilities(rawValue: 1 << 20)
    static let pluginAuthLengthEncoded = Capabilities(rawValue: 1 << 21)

    static let server: Capabilities = [
        .longPassword, .foundRows, .longFlag, .connectWithDB, .protocol41, .transactions, .secureConnection,
        .multiResults, .pluginAuth, .connectAttributes, .pluginAuthLengthEncoded,
    ]
}

/// Server status flags carried by OK and EOF packets.
struct StatusFlags: OptionSet {
    let rawValue: UInt16
    static let inTransaction = StatusFlags(rawValue: 1)
    static let autocommit = StatusFlags(rawValue: 2)
}

enum Handshake {
    /// HandshakeV10 announcing `mysql_native_password`.
    static func greeting(
        version: String, connectionID: UInt32, scramble: [UInt8], allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        let caps = Capabilities.server.rawValue
        buffer.writeInteger(UInt8(10))
        buffer.writeNullTerminated(version)
        buffer.writeUInt32(connectionID)
        buffer.writeBytes(scramble[0..<8])
        buffer.writeInteger(UInt8(0))
        buffer.writeUInt16(UInt16(caps & 0xFFFF))
        buffer.writeInteger(UInt8(45))  // utf8mb4_general_ci
        buffer.writeUInt16(StatusFlags.autocommit.rawValue)
        buffer.writeUInt16(UInt16(caps >> 16))
        buffer.writeInteger(UInt8(scramble.count + 1))
        buffer.writeRepeatingByte(0, count: 10)
        buffer.writeBytes(scramble[8...])
        buffer.writeInteger(UInt8(0))
        buffer.writeNullTerminated(Auth.nativePassword)
        return buffer
    }

    /// What a HandshakeResponse41 carries.
    struct Response {
        var capabilities: Capabilities
        var collation: UInt8
        var user: String
        var authResponse: [UInt8]
        var database: String?
        var plugin: String
    }

    /// Parses a HandshakeResponse41; nil if it is malformed or a pre-4.1 client.
    static func parseResponse(_ payload: ByteBuffer) -> Response? {
        var buffer = payload
        guard let raw = buffer.readUInt32(), buffer.readUInt32() != nil,
            let collation = buffer.readInteger(as: UInt8.self),
            buffer.readBytes(length: 23) != nil
        else { return nil }
        let caps = Capabilities(rawValue: raw).intersection(.server)
        guard caps.contains(.protocol41), let user = buffer.readNullTerminatedString() else { return nil }
        let auth: [UInt8]?
        if caps.contains(.pluginAuthLengthEncoded) {
            auth = buffer.readLengthEncodedBytes()
        } else if caps.contains(.secureConnection) {
            auth = buffer.readInteger(as: UInt8.self).flatMap { buffer.readBytes(length: Int($0)) }
        } else {
            auth = buffer.readNullTerminatedString().map { Array($0.utf8) }
        }
        guard let auth else { return nil }
        var database: String?
        if caps.contains(.connectWithDB), buffer.readableBytes > 0 {
            database = buffer.readNullTerminatedString()
            if database?.isEmpty == true { database = nil }
        }
        var plugin = Auth.nativePassword
        if caps.contains(.pluginAuth), buffer.readableBytes > 0 {
            plugin = buffer.readNullTerminatedString() ?? Auth.nativePassword
        }
        return Response(
            capabilities: caps, collation: collation, user: user, authResponse: auth, database: database,
            plugin: plugin)
    }

    /// AuthSwitchRequest: 0xFE, the plugin, a new scramble and NUL.
    static func authSwitch(plugin: String, scramble: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeInteger(UInt8(0xFE))
        buffer.writeNullTerminated(plugin)
        buffer.writeBytes(scramble)
        buffer.writeInteger(UInt8(0))
        return buffer
    }
}
