import PageStore
import SQLFacade
import Testing

/// Everything the workshop's clients send (mysql-protocol.md §4, §6, §8), with MariaDB's answers.
@Suite("What the workshop's clients send")
struct WorkshopTests {
    static let sysbenchCreate =
        "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n"
        + "  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n) "
        + "/*! ENGINE = innodb */ "

    static func sysbenchInsert(rows: Int, start: Int = 0) -> String {
        "INSERT INTO sbtest1(k, c, pad) VALUES"
            + (0..<rows).map { row in
                "(\(row + start), '\(String(repeating: "12345678901-", count: 9))12345678901', '\(String(repeating: "7", count: 59))')"
            }.joined(separator: ",")
    }

    @Test func theMySQLClientsStartupQueries() throws {
        let lab = try Lab()
        try lab.run(Self.sysbenchCreate)
        let databases = try lab.session.execute("show databases")
        #expect(databases.columns.map(\.name) == ["Database"])
        #expect(databases.textRows == [["information_schema"], ["mylab"]])
        let tables = try lab.session.execute("show tables")
        #expect(tables.columns.map(\.name) == ["Tables_in_mylab"])
        #expect(tables.textRows == [["sbtest1"]])
        #expect(try lab.rows("select @@version_comment limit 1").count == 1)
        #expect(
            try lab.session.execute("select @@version_comment limit 1").columns.map(\.name) == ["@@version_comment"])
        #expect(try lab.rows("SELECT DATABASE()") == [["mylab"]])
        #expect(try lab.rows("SHOW FULL TABLES") == [["sbtest1", "BASE TABLE"]])
    }

    @Test func columnLengthsSaturateInsteadOfOverflowing() throws {
        let lab = try Lab()
        lab.session.clientCollation = 45  // utf8mb4: four bytes per character
        try lab.run("CREATE TABLE docs (id INT PRIMARY KEY, body LONGTEXT)", "INSERT INTO docs VALUES (1, 'x')")
        let result = try lab.session.execute("SELECT body FROM docs")
        #expect(result.columns[0].length == UInt32.max)
    }

    @Test func preparedShapesCountParametersAndColumns() throws {
        let lab = try Lab()
        try lab.run(Self.sysbenchCreate)
        let update = try lab.session.shape(of: "UPDATE sbtest1 SET c=? WHERE id=?")
        #expect(update.parameterCount == 2 && update.columns.isEmpty)
        let select = try lab.session.shape(of: "SELECT id, c FROM sbtest1 WHERE k = ? AND c <> '?'")
        #expect(select.parameterCount == 1 && select.columns.map(\.name) == ["id", "c"])
        #expect(try lab.session.shape(of: "SHOW TABLES").columns.map(\.name) == ["Tables_in_mylab"])
    }

    @Test func sysbenchPrepareRunAndCleanup() throws {
        let lab = try Lab()
        try lab.run(Self.sysbenchCreate)
        let insert = Self.sysbenchInsert(rows: 2716)
        #expect(insert.utf8.count > 500_000, "sysbench's bulk INSERTs are about 512 KiB")
        let inserted = try lab.run(insert)
        #expect(inserted.affectedRows == 2716)
        #expect(inserted.lastInsertID == 1, "MySQL reports the first id of a multi-row insert")
        try lab.run("CREATE INDEX k_1 ON sbtest1(k)")
        for (id, next) in [(5, 6), (100, 200)] {
            try lab.run("BEGIN")
            #expect(lab.session.isInTransaction)
            try lab.session.execute("UPDATE sbtest1 SET k=k+1 WHERE id=?", parameters: [.integer(Int64(id))])
            try lab.session.execute(
                "UPDATE sbtest1 SET c=? WHERE id=?", parameters: [.text("x"), .integer(Int64(next))])
            try lab.session.execute("DELETE FROM sbtest1 WHERE id=?", parameters: [.integer(Int64(id))])
            try lab.session.execute(
                "INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)",
                parameters: [.integer(Int64(id)), .integer(7), .text("c"), .text("pad")])
            try lab.run("COMMIT")
            #expect(!lab.session.isInTransaction)
        }
        #expect(try lab.rows("SELECT count(*) FROM sbtest1") == [["2716"]])
        #expect(try lab.rows("SELECT k, c FROM sbtest1 WHERE id = 5") == [["7", "c"]])
        let dropped = try lab.run("DROP TABLE IF EXISTS sbtest1")
        #expect(dropped.warningCount == 0)
        let again = try lab.run("DROP TABLE IF EXISTS sbtest1")
        #expect(again.warningCount == 1)
        #expect(try lab.rows("SHOW WARNINGS") == [["Note", "1051", "Unknown table 'mylab.sbtest1'"]])
    }

    @Test func currentTimestampAndNowComeFromTheVolumesClock() throws {
        let lab = try Lab()
        let result = try lab.session.execute("SELECT current_timestamp()")
        #expect(result.columns.map(\.name) == ["current_timestamp()"])
        #expect(result.columns[0].type == .datetime)
        #expect(result.textRows == [["2027-01-15 08:00:00"]])
        _ = lab.tick(61)
        #expect(try lab.rows("SELECT NOW(), CURRENT_TIMESTAMP") == [["2027-01-15 08:01:01", "2027-01-15 08:01:01"]])
        #expect(try lab.session.execute("SELECT CURRENT_TIMESTAMP()").columns[0].name == "CURRENT_TIMESTAMP()")
    }

    @Test func sessionStatements() throws {
        let lab = try Lab()
        try lab.run("SET NAMES utf8mb4", "SET autocommit=0", "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'")
        #expect(try lab.rows("SELECT @@autocommit") == [["0"]])
        try lab.run("CREATE TABLE t (id INT)", "INSERT INTO t VALUES (1)")
        #expect(lab.session.isInTransaction, "with autocommit off, a statement opens a transaction")
        try lab.run("ROLLBACK")
        #expect(try lab.rows("SELECT count(*) FROM t") == [["0"]])
        try lab.run("ROLLBACK", "SET autocommit=1")
        try lab.run("CREATE DATABASE other", "USE other")
        #expect(lab.session.database == "other")
        #expect(try lab.rows("SHOW TABLES") == [])
        try lab.run("CREATE DATABASE IF NOT EXISTS other")
        #expect(try lab.rows("SHOW WARNINGS") == [["Note", "1007", "Can't create database 'other'; database exists"]])
        try lab.run("DROP DATABASE other")
        #expect(lab.session.database == nil)
        #expect(try lab.rows("SHOW DATABASES") == [["information_schema"], ["mylab"]])
        #expect(try lab.rows("SELECT DATABASE()") == [[nil]])
    }

    @Test func ordinarySQLPassesThrough() throws {
        let lab = try Lab()
        try lab.run(
            "CREATE TABLE `users` (`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(40) NOT NULL, "
                + "`team` INT, KEY `team_idx` (`team`), UNIQUE KEY `name_uq` (`name`(20))) ENGINE=InnoDB "
                + "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=10",
            "CREATE TABLE teams (id INT PRIMARY KEY, title TEXT)",
            "INSERT INTO teams VALUES (1, 'red'), (2, \"blue\")",
            "INSERT INTO users (name, team) VALUES ('ann', 1), ('bob', 1), ('o\\'neil', 2), ('dan', NULL)")
        #expect(try lab.rows("SELECT name FROM users WHERE name LIKE 'o%'") == [["o'neil"]])
        #expect(
            try lab.rows(
                "SELECT t.title, COUNT(*) AS n FROM users u JOIN teams t ON t.id = u.team GROUP BY t.title ORDER BY n DESC"
            )
                == [["red", "2"], ["blue", "1"]])
        #expect(try lab.rows("SELECT id FROM users WHERE team IS NULL") == [["4"]])
        #expect(try lab.rows("SELECT CONCAT(name, '@', team) FROM `mylab`.`users` WHERE id = 1") == [["ann@1"]])
        #expect(try lab.rows("SELECT 1 + 1, 'a' 'b', NULL") == [["2", "ab", nil]])
        let typed = try lab.session.execute("SELECT id, name FROM users LIMIT 1")
        #expect(typed.columns.map(\.type) == [.long, .varString])
        try lab.run("TRUNCATE TABLE users")
        #expect(try lab.rows("SELECT COUNT(*) FROM users") == [["0"]])
    }
}
