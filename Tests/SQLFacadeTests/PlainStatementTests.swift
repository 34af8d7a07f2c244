import Testing

@testable import SQLFacade

/// A statement whose text SQLite reads as MySQL means it goes to SQLite as it is; any other is written token by
/// token. These are the spellings where the two readings part.
@Suite("Statements passed to SQLite as they are")
struct PlainStatementTests {
    @Test func onlyTextThatSQLiteReadsTheSameWayIsPlain() throws {
        let plain = [
            "INSERT INTO sbtest1 (k, c, pad) VALUES (1, 'x-1', 'y'), (2, 'x-2', 'z')",
            "UPDATE sbtest1 SET k=k+1 WHERE id=?", "SELECT a<>b, a<=b, a>=b, a!=b FROM t",
        ]
        for sql in plain { #expect(try Lexer.lex(sql).isPlain, "\(sql)") }
        let rewritten = [
            "SELECT 5--3", "SELECT 1 -- note", "SELECT 1 # note", "SELECT 1 /* note */",
            "CREATE TABLE t (a INT) /*! ENGINE = innodb */", "SELECT \"text\"", "SELECT 'it\\'s'",
            "SELECT 'it''s'", "SELECT `a` FROM t", "SELECT @x", "SELECT @@version", "SELECT 0x41", "SELECT x'41'",
            "SELECT a || b", "SELECT a && b", "SELECT a <=> b", "SELECT 1\u{0B}+1",
        ]
        for sql in rewritten { #expect(try !Lexer.lex(sql).isPlain, "\(sql)") }
    }

    @Test func eitherWayTheyMeanWhatMySQLMeans() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE t (id INT PRIMARY KEY, s TEXT)", "INSERT INTO t VALUES (1, 'it''s'), (2, 'a\\\\b')")
        #expect(try lab.rows("SELECT 5--3, 1 || 0, 2 <=> 2") == [["8", "1", "1"]])
        #expect(try lab.rows("SELECT s FROM t WHERE id = 1 # the first") == [["it's"]])
        #expect(try lab.rows("SELECT s FROM t WHERE id=2") == [["a\\b"]])
        #expect(try lab.rows("SELECT \"quoted\", 'plain'") == [["quoted", "plain"]])
        #expect(throws: MySQLError.self) { try lab.run("SELEC 1") }
        #expect(throws: MySQLError.self) { try lab.run("SELECT * FROM t WHERE") }
    }

    @Test func aSyntaxErrorInAPlainStatementPointsAtTheClientsText() throws {
        let lab = try Lab()
        do {
            try lab.session.execute("SELECT 1 FROM t WHERE id = = 2")
            Issue.record("a syntax error was accepted")
        } catch {
            #expect(error.code == 1064)
            #expect(error.message.contains("near '= 2'"), "\(error.message)")
        }
    }
}
