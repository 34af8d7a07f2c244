import NIOCore
import SQLFacade

/// A connection's prepared statements: their SQL, placeholder count and the parameter types the client bound
/// on the first execute (later executes send no types; `mysql-protocol.md` §4.3).
struct PreparedStatements {
    struct Statement {
        var sql: String
        var parameterCount: Int
        var types: [(type: UInt8, unsigned: Bool)] = []
    }

    /// MySQL's default `max_prepared_stmt_count` is per server; per connection this keeps one client honest.
    static let perConnectionMax = 16_382

    private var statements: [UInt32: Statement] = [:]
    private var nextID: UInt32 = 1

    var count: Int { statements.count }

    mutating func add(_ statement: Statement) -> UInt32 {
        let id = nextID
        nextID &+= 1
        if nextID == 0 { nextID = 1 }
        statements[id] = statement
        return id
    }

    subscript(id: UInt32) -> Statement? { statements[id] }

    mutating func remove(_ id: UInt32) { statements[id] = nil }

    /// Decodes a COM_STMT_EXECUTE payload (after the command byte) into the statement and its parameter values,
    /// remembering newly bound types. Throws `ExecuteError` for an unknown statement or a malformed payload.
    mutating func decodeExecute(_ payload: inout ByteBuffer) throws(ExecuteError) -> (Statement, [SQLValue]) {
        guard let id = payload.readUInt32(), payload.readInteger(as: UInt8.self) != nil,
            payload.readUInt32() != nil
        else { throw .malformed }
        guard var statement = statements[id] else { throw .unknownStatement(id) }
        let count = statement.parameterCount
        guard count > 0 else { return (statement, []) }
        guard let bitmap = payload.readBytes(length: (count + 7) / 8), let bound = payload.readInteger(as: UInt8.self)
        else { throw .malformed }
        if bound == 1 {
            var types: [(UInt8, Bool)] = []
            for _ in 0..<count {
                guard let type = payload.readInteger(as: UInt8.self), let flag = payload.readInteger(as: UInt8.self)
                else { throw .malformed }
                types.append((type, flag & 0x80 != 0))
            }
            statement.types = types
            statements[id] = statement
        }
        guard statement.types.count == count else { throw .malformed }
        var values: [SQLValue] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            if bitmap[index / 8] & (1 << (index % 8)) != 0 {
                values.append(.null)
                continue
            }
            let (type, unsigned) = statement.types[index]
            guard let value = BinaryValue.read(type: type, unsigned: unsigned, from: &payload) else {
                throw .malformed
            }
            values.append(value)
        }
        return (statement, values)
    }
}

enum ExecuteError: Error {
    case malformed
    case unknownStatement(UInt32)
}
