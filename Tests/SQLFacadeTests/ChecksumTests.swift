import PageStore
import SQLFacade
import Testing

@Suite("CHECKSUM TABLE")
struct ChecksumTests {
    @Test(arguments: try ChecksumVector.all())
    func matchesMariaDB(vector: ChecksumVector) throws {
        let lab = try Lab()
        try lab.run(vector.ddl)
        for insert in vector.inserts { try lab.run(insert) }
        let result = try lab.run("CHECKSUM TABLE t")
        #expect(result.textRows == [["mylab.t", vector.checksum.map(String.init)]], "\(vector.name)")
    }

    @Test func aMissingTableIsNullWithWarning1146() throws {
        let lab = try Lab()
        let result = try lab.run("checksum table sbtest1")
        #expect(result.textRows == [["mylab.sbtest1", nil]])
        #expect(result.warningCount == 1)
        #expect(try lab.rows("show warnings") == [["Error", "1146", "Table 'mylab.sbtest1' doesn't exist"]])
        #expect(result.columns.map(\.name) == ["Table", "Checksum"])
        #expect(result.columns[1].type == .longlong)
    }

    @Test func quickIsNullAndSeveralTablesAreOneRowEach() throws {
        let lab = try Lab()
        try lab.run("CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)", "CREATE TABLE b (id INT)")
        #expect(try lab.rows("CHECKSUM TABLE a, b") == [["mylab.a", "3459908756"], ["mylab.b", "0"]])
        #expect(try lab.rows("CHECKSUM TABLE a QUICK") == [["mylab.a", nil]])
    }
}
