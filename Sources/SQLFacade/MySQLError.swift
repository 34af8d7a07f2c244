/// A MySQL error as MariaDB reports it: number, SQLSTATE and message (mysql-protocol.md §7).
public struct MySQLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: UInt16
    public var sqlState: String
    public var message: String

    public init(code: UInt16, sqlState: String, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// As the `mysql` client prints it.
    public var description: String { "ERROR \(code) (\(sqlState)): \(message)" }

    public static func noSuchTable(_ database: String, _ table: String) -> MySQLError {
        MySQLError(code: 1146, sqlState: "42S02", message: "Table '\(database).\(table)' doesn't exist")
    }

    public static func unknownTable(_ names: [String]) -> MySQLError {
        MySQLError(code: 1051, sqlState: "42S02", message: "Unknown table '\(names.joined(separator: ","))'")
    }

    public static func syntax(near text: String, line: Int) -> MySQLError {
        MySQLError(
            code: 1064, sqlState: "42000",
            message: "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB "
                + "server version for the right syntax to use near '\(text)' at line \(line)")
    }

    public static func duplicateEntry(_ value: String, key: String) -> MySQLError {
        MySQLError(code: 1062, sqlState: "23000", message: "Duplicate entry '\(value)' for key '\(key)'")
    }

    public static let noDatabaseSelected = MySQLError(code: 1046, sqlState: "3D000", message: "No database selected")

    public static func unknownDatabase(_ name: String) -> MySQLError {
        MySQLError(code: 1049, sqlState: "42000", message: "Unknown database '\(name)'")
    }

    public static func databaseExists(_ name: String) -> MySQLError {
        MySQLError(code: 1007, sqlState: "HY000", message: "Can't create database '\(name)'; database exists")
    }

    public static func cannotDropDatabase(_ name: String) -> MySQLError {
        MySQLError(code: 1008, sqlState: "HY000", message: "Can't drop database '\(name)'; database doesn't exist")
    }

    public static func tableExists(_ name: String) -> MySQLError {
        MySQLError(code: 1050, sqlState: "42S01", message: "Table '\(name)' already exists")
    }

    public static func unknownColumn(_ name: String, in place: String) -> MySQLError {
        MySQLError(code: 1054, sqlState: "42S22", message: "Unknown column '\(name)' in '\(place)'")
    }

    public static func badNull(_ column: String) -> MySQLError {
        MySQLError(code: 1048, sqlState: "23000", message: "Column '\(column)' cannot be null")
    }

    public static func unknownSystemVariable(_ name: String) -> MySQLError {
        MySQLError(code: 1193, sqlState: "HY000", message: "Unknown system variable '\(name)'")
    }

    public static func notSupported(_ what: String) -> MySQLError {
        MySQLError(code: 1235, sqlState: "42000", message: "This version of MariaDB doesn't yet support '\(what)'")
    }

    public static func lockWaitTimeout() -> MySQLError {
        MySQLError(code: 1205, sqlState: "HY000", message: "Lock wait timeout exceeded; try restarting transaction")
    }

    public static func readOnlyTransaction() -> MySQLError {
        MySQLError(code: 1792, sqlState: "25006", message: "Cannot execute statement in a READ ONLY transaction")
    }

    /// Time travel outside the retained history (MariaDB has no exact equivalent; this is its generic
    /// "wrong arguments" error).
    public static func wrongArguments(_ function: String) -> MySQLError {
        MySQLError(code: 1210, sqlState: "HY000", message: "Incorrect arguments to \(function)")
    }

    public static func unknown(_ message: String) -> MySQLError {
        MySQLError(code: 1105, sqlState: "HY000", message: message)
    }
}

/// A note or warning a statement left for `SHOW WARNINGS`.
public struct MySQLWarning: Hashable, Sendable {
    public enum Level: String, Sendable {
        case note = "Note"
        case warning = "Warning"
        case error = "Error"
    }

    public var level: Level
    public var code: UInt16
    public var message: String
}
