/// The server's system variables, as far as clients and connectors ask for them. Values follow Aurora MySQL 3
/// where they matter to a client (version, charsets, time zone, isolation).
enum SystemVariables {
    static let version = "8.0.32-Backtrack"
    static let versionComment = "Backtrack: Aurora MySQL simulator"

    static let values: [String: SQLValue] = [
        "version": .text(version),
        "version_comment": .text(versionComment),
        "aurora_version": .text("3.05.2"),
        "version_compile_os": .text("Linux"),
        "version_compile_machine": .text("x86_64"),
        "protocol_version": .integer(10),
        "character_set_client": .text("utf8mb4"),
        "character_set_connection": .text("utf8mb4"),
        "character_set_results": .text("utf8mb4"),
        "character_set_server": .text("utf8mb4"),
        "character_set_database": .text("utf8mb4"),
        "collation_connection": .text("utf8mb4_general_ci"),
        "collation_server": .text("utf8mb4_general_ci"),
        "collation_database": .text("utf8mb4_general_ci"),
        "time_zone": .text("UTC"),
        "system_time_zone": .text("UTC"),
        "sql_mode": .text("STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"),
        "transaction_isolation": .text("REPEATABLE-READ"),
        "tx_isolation": .text("REPEATABLE-READ"),
        "transaction_read_only": .integer(0),
        "tx_read_only": .integer(0),
        "lower_case_table_names": .integer(0),
        "max_allowed_packet": .integer(67_108_864),
        "net_buffer_length": .integer(16_384),
        "wait_timeout": .integer(28_800),
        "interactive_timeout": .integer(28_800),
        "net_write_timeout": .integer(60),
        "auto_increment_increment": .integer(1),
        "auto_increment_offset": .integer(1),
        "default_storage_engine": .text("InnoDB"),
        "innodb_lock_wait_timeout": .integer(50),
        "have_ssl": .text("DISABLED"),
        "license": .text("GPL"),
        "init_connect": .text(""),
        "performance_schema": .integer(0),
        "query_cache_size": .integer(0),
        "query_cache_type": .text("OFF"),
        "sql_select_limit": .integer(Int64.max),
        "session_track_schema": .text("ON"),
        "hostname": .text("localhost"),
        "port": .integer(3306),
        "max_connections": .integer(1000),
        "binlog_format": .text("ROW"),
        "log_bin": .integer(0),
        "read_only": .integer(0),
        "innodb_read_only": .integer(0),
        "aurora_server_id": .text("backtrack"),
    ]

    /// `@@session.x`, `@@GLOBAL.x` and `@@x` all name `x`.
    static func bareName(_ spelling: String) -> String {
        var name = spelling.hasPrefix("@@") ? String(spelling.dropFirst(2)) : spelling
        for scope in ["session.", "global.", "local."] where name.lowercased().hasPrefix(scope) {
            name = String(name.dropFirst(scope.count))
        }
        return name.lowercased()
    }
}

extension Session {
    /// A system variable's value for this session, or nil if there is no such variable.
    func systemVariable(_ spelling: String) -> SQLValue? {
        switch SystemVariables.bareName(spelling) {
        case "autocommit": .integer(autocommit ? 1 : 0)
        case "last_insert_id", "identity": .integer(lastInsertID)
        case "warning_count": .integer(Int64(warnings.count))
        case "error_count": .integer(Int64(warnings.filter { $0.level == .error }.count))
        case let name: SystemVariables.values[name]
        }
    }
}
