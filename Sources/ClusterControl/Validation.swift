/// The parameter rules of `rds-query-api.md` §4, each failure an `InvalidParameterValue` with a message that
/// names the parameter and the allowed values.
enum Validation {
    static let maxBacktrackWindow: Int64 = 259_200

    static func engine(_ name: String) throws(RDSError) -> Engine {
        guard let engine = Engine(rawValue: name.lowercased()) else {
            throw .value("Invalid DB engine: \(name). This simulator supports aurora and aurora-mysql.")
        }
        return engine
    }

    static func backtrackWindow(_ seconds: Int64) throws(RDSError) {
        guard (0...maxBacktrackWindow).contains(seconds) else {
            throw .value(
                "The specified value (\(seconds)) is not a valid Backtrack Window. Allowed values are within the "
                    + "range of 0 to \(maxBacktrackWindow)")
        }
    }

    static func backupRetentionPeriod(_ days: Int) throws(RDSError) {
        guard (1...35).contains(days) else {
            throw .value("Invalid backup retention period: \(days). The value must be from 1 to 35 days.")
        }
    }

    /// 1 to 16 letters or digits, a letter first.
    static func masterUsername(_ name: String?) throws(RDSError) -> String {
        guard let name, !name.isEmpty else {
            throw .value("The parameter MasterUsername must be provided and must not be blank.")
        }
        let bytes = Array(name.utf8)
        guard bytes.count <= 16, bytes[0].isLetter, bytes.allSatisfy({ $0.isLetter || $0.isDigit }) else {
            throw .value(
                "MasterUsername \(name) is not valid: use 1 to 16 letters or digits, beginning with a letter.")
        }
        return name
    }

    /// 8 to 41 printable ASCII characters other than `/`, `"` and `@`.
    static func masterPassword(_ password: String?) throws(RDSError) -> String {
        guard let password, !password.isEmpty else {
            throw .value("The parameter MasterUserPassword must be provided and must not be blank.")
        }
        let bytes = Array(password.utf8)
        guard bytes.count >= 8 else {
            throw .value(
                "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
        }
        guard bytes.count <= 41 else {
            throw .value(
                "The parameter MasterUserPassword is not a valid password because it is longer than 41 "
                    + "characters.")
        }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) && !"/\"@".utf8.contains($0) }) else {
            throw .value(
                "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters "
                    + "besides '/', '@', '\"', ' ' may be used.")
        }
        return password
    }

    /// MySQL database names for `DatabaseName`: 1 to 64 letters, digits or underscores, a letter first.
    static func databaseName(_ name: String?) throws(RDSError) -> String? {
        guard let name else { return nil }
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes[0].isLetter,
            bytes.allSatisfy({ $0.isLetter || $0.isDigit || $0 == UInt8(ascii: "_") })
        else {
            throw .value(
                "DatabaseName \(name) is not valid: use 1 to 64 letters, digits or underscores, beginning with a "
                    + "letter.")
        }
        return name
    }
}
