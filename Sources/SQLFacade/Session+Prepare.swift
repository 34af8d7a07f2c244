import SQLiteVFS

/// What a prepared statement looks like before it runs: what COM_STMT_PREPARE answers.
public struct StatementShape: Sendable {
    /// The `?` placeholders, which the client must bind.
    public var parameterCount: Int
    /// The result columns, for statements that return rows.
    public var columns: [Column]
}

extension Session {
    /// The shape of `sql` without running it (1064 if it does not parse). Row-returning statements SQLite runs
    /// are prepared to learn their columns; statements the session answers itself (`SHOW ...`, `SELECT
    /// @@version`) are run once when they take no parameters, since they have no side effects.
    public func shape(of sql: String) throws(MySQLError) -> StatementShape {
        let lexed = try Self.lex(sql)
        let tokens = lexed.tokens
        let first = tokens[0]
        let parameters = tokens.count { $0.kind == .placeholder }
        let verb = first.upper
        guard ["SELECT", "WITH", "VALUES", "SHOW", "CHECKSUM", "EXPLAIN"].contains(verb) else {
            return StatementShape(parameterCount: parameters, columns: [])
        }
        let statement = Statement(sql: sql, tokens: tokens, parameters: [], isPlain: lexed.isPlain)
        if let columns = try? preparedColumns(statement) {
            return StatementShape(parameterCount: parameters, columns: columns)
        }
        guard parameters == 0 else { return StatementShape(parameterCount: parameters, columns: []) }
        return StatementShape(parameterCount: 0, columns: try execute(sql).columns)
    }

    /// The columns SQLite reports for the rewritten statement, without stepping it.
    private func preparedColumns(_ statement: Statement) throws -> [Column] {
        let prepared = try currentConnection().prepare(sqlite(statement).text)
        guard prepared.columnCount > 0 else { throw MySQLError.unknown("no result columns") }
        let names = SelectList(statement).names(count: prepared.columnCount)
        return (0..<prepared.columnCount).map { column(prepared, $0, rows: [], name: names?[$0]) }
    }
}
