import PageStore
import Testing

@testable import SQLFacade

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

@Suite("CRC-32")
struct CRC32Tests {
    @Test func paddingByCombinationEqualsThePlainCRC() {
        for prefix in ["", "a", "12345678901-12345678901"] {
            for count in [0, 1, 7, 8, 61, 361, 1023, 1024, 3000] {
                let plain = Array(prefix.utf8) + [UInt8](repeating: 0x20, count: count)
                let combined = CRC32Probe.spaces(after: Array(prefix.utf8), count: count)
                #expect(combined == CRC32Probe.plain(plain), "\(prefix) + \(count) spaces")
            }
        }
        #expect(CRC32Probe.plain(Array("123456789".utf8)) == 0xCBF4_3926, "the standard check value")
    }
}

enum CRC32Probe {
    static func plain(_ bytes: [UInt8]) -> UInt32 { CRC32.update(0, bytes) }
    static func spaces(after prefix: [UInt8], count: Int) -> UInt32 {
        CRC32.updateSpaces(CRC32.update(0, prefix), count: count)
    }
}
