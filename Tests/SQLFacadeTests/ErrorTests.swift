import SQLFacade
import Testing

@Suite("MySQL errors")
struct ErrorTests {
    func expectError(_ lab: Lab, _ sql: String, _ code: UInt16, _ state: String, _ message: String) {
        do {
            try lab.session.execute(sql)
            Issue.record("\(sql) should fail with \(code)")
        } catch {
            #expect(error == MySQLError(code: code, sqlState: state, message: message), "\(sql)")
        }
    }

    @Test func errorsAreMariaDBs() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO t VALUES (1, 1)")
        expectError(lab, "SELECT * FROM nosuch", 1146, "42S02", "Table 'mylab.nosuch' doesn't exist")
        expectError(lab, "DROP TABLE nosuch", 1051, "42S02", "Unknown table 'mylab.nosuch'")
        expectError(
            lab, "SELEC 1", 1064, "42000",
            "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version "
                + "for the right syntax to use near 'SELEC 1' at line 1")
        expectError(lab, "INSERT INTO t VALUES (1, 2)", 1062, "23000", "Duplicate entry '1' for key 'PRIMARY'")
        expectError(lab, "INSERT INTO t VALUES (2, NULL)", 1048, "23000", "Column 'v' cannot be null")
        expectError(lab, "USE nodb", 1049, "42000", "Unknown database 'nodb'")
        expectError(lab, "SELECT @@nosuch", 1193, "HY000", "Unknown system variable 'nosuch'")
        expectError(
            lab, "SELECT 'unterminated", 1064, "42000",
            "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version "
                + "for the right syntax to use near ''unterminated' at line 1")
        expectError(lab, "", 1065, "42000", "Query was empty")
        let noDatabase = try lab.volume.session()
        do {
            try noDatabase.execute("SELECT * FROM t")
            Issue.record("no database selected")
        } catch {
            #expect(error == .noDatabaseSelected)
        }
        #expect(try noDatabase.execute("SELECT 1").textRows == [["1"]])
    }

    @Test func aBadStatementNeverBreaksTheSession() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (id INT PRIMARY KEY)", "BEGIN", "INSERT INTO t VALUES (1)")
        _ = try? lab.session.execute("INSERT INTO t VALUES (1)")
        _ = try? lab.session.execute("SELEC garbage")
        #expect(lab.session.isInTransaction)
        try lab.run("INSERT INTO t VALUES (2)", "COMMIT")
        #expect(try lab.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"]])
    }

    @Test func aUniqueSecondaryKeyNamesItsIndex() throws {
        let lab = try Lab()
        try lab.run(
            "CREATE TABLE u (id INT PRIMARY KEY, email VARCHAR(50), UNIQUE KEY email_uq (email))",
            "INSERT INTO u VALUES (1, 'a@x')")
        expectError(lab, "INSERT INTO u VALUES (2, 'a@x')", 1062, "23000", "Duplicate entry 'a@x' for key 'email_uq'")
    }
}
