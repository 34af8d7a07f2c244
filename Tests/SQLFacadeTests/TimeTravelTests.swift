import PageStore
import SQLFacade
import Testing

@Suite("Time travel without backtracking")
struct SQLTimeTravelTests {
    @Test func selectAsOfReadsTheWholeStatementAtThatTime() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 10), (2, 20)")
        let before = lab.tick()
        _ = lab.tick()
        try lab.run("UPDATE t SET v = v + 1", "DELETE FROM t WHERE id = 2", "INSERT INTO t VALUES (3, 30)")
        let stamp = "2027-01-15 08:00:01"  // `before`, as MariaDB's AS OF TIMESTAMP text
        #expect(before == Timestamp(seconds: 1_800_000_001))
        #expect(
            try lab.rows("SELECT id, v FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '\(stamp)' ORDER BY id")
                == [["1", "10"], ["2", "20"]])
        #expect(try lab.rows("SELECT id, v FROM t ORDER BY id") == [["1", "11"], ["3", "30"]])
        #expect(
            try lab.rows("SELECT SUM(v) FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '\(stamp)' WHERE id > 0") == [["30"]])
        let past = try lab.session.at(before)
        #expect(try past.execute("SELECT COUNT(*) FROM t").textRows == [["2"]])
        #expect(throws: MySQLError.self) { try past.execute("INSERT INTO t VALUES (9, 9)") }
        #expect(try lab.session.checksum("t", at: before) == past.checksum("t"))
        #expect(try lab.session.checksum("t", at: before) != lab.session.checksum("t"))
    }

    @Test func aTimeOutsideTheHistoryIsAClearError() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (id INT)")
        #expect(throws: MySQLError.self) {
            try lab.session.execute("SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2001-01-01 00:00:00'")
        }
        #expect(throws: MySQLError.self) {
            try lab.session.execute("SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP 'not a time'")
        }
    }

    @Test func aBacktrackMovesEverySchemaAndTheChecksumComesBack() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, k INT, PRIMARY KEY (id))")
        try lab.run("INSERT INTO sbtest1 (k) VALUES (1), (2), (3)")
        let original = try lab.session.checksum("sbtest1")
        let marker = lab.tick()
        _ = lab.tick()
        try lab.run("DROP TABLE sbtest1", "CREATE DATABASE extra")
        #expect(try lab.session.checksum("sbtest1") == nil)
        _ = lab.tick()
        lab.session.close()
        try lab.store.backtrack(lab.volume.volume, to: marker)
        let session = try lab.volume.session(database: "mylab")
        #expect(try session.checksum("sbtest1") == original)
        #expect(try lab.volume.databases() == ["mylab"], "CREATE DATABASE after the marker is undone too")
    }
}
