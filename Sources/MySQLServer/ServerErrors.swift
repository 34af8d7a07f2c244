import SQLFacade

/// The protocol-level errors the endpoint sends, with MySQL's numbers, SQLSTATEs and texts.
extension MySQLError {
    static let tooManyConnections = MySQLError(code: 1040, sqlState: "08004", message: "Too many connections")
    static let badHandshake = MySQLError(code: 1043, sqlState: "08S01", message: "Bad handshake")
    static let unknownCommand = MySQLError(code: 1047, sqlState: "08S01", message: "Unknown command")
    static let packetTooLarge = MySQLError(
        code: 1153, sqlState: "08S01", message: "Got a packet bigger than 'max_allowed_packet' bytes")
    static let malformedPacket = MySQLError(code: 1835, sqlState: "HY000", message: "Malformed communication packet")
    static let tooManyStatements = MySQLError(
        code: 1461, sqlState: "42000",
        message: "Can't create more than max_prepared_stmt_count statements (current value: 16382)")

    /// MariaDB's text for a connection thread the system would not start.
    static func cannotCreateThread(errno: Int32) -> MySQLError {
        MySQLError(
            code: 1135, sqlState: "HY000",
            message: "Can't create a new thread (errno \(errno)); if you are not out of available memory, you can "
                + "consult the manual for a possible OS-dependent bug")
    }

    static func unknownStatement(_ id: UInt32, in command: String) -> MySQLError {
        MySQLError(
            code: 1243, sqlState: "HY000", message: "Unknown prepared statement handler (\(id)) given to \(command)")
    }

    static func accessDenied(user: String, host: String) -> MySQLError {
        MySQLError(
            code: 1045, sqlState: "28000", message: "Access denied for user '\(user)'@'\(host)' (using password: YES)")
    }
}
