import PageStore

/// sysbench's OLTP table `sbtest1` and the SQL sysbench 1.0.20 sends for it (`mysql-protocol.md` §4.2–4.3):
/// the same statements, the same row format (`c`: ten groups of eleven digits, `pad`: five), the same 512 KiB
/// multi-row INSERTs. The digits come from a seeded generator, so a run can be repeated exactly; they are not
/// sysbench's own random numbers.
public struct Sysbench: Sendable {
    /// sysbench's DDL, byte for byte, trailing space included.
    public static let createTable =
        "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n"
        + "  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n"
        + ") /*! ENGINE = innodb */ "
    public static let createIndex = "CREATE INDEX k_1 ON sbtest1(k)"
    /// sysbench flushes a multi-row INSERT when it reaches this size.
    public static let insertBytesMax = 512 * 1024

    public let tableSize: Int
    public var random: SplitMix64

    public init(tableSize: Int, seed: UInt64 = 1) {
        self.tableSize = max(1, tableSize)
        random = SplitMix64(seed: seed)
    }

    /// `groups` groups of 11 digits joined by dashes: sysbench's `c` (10 groups) and `pad` (5 groups).
    public mutating func digits(groups: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(groups * 12)
        for group in 0..<groups {
            if group > 0 { bytes.append(UInt8(ascii: "-")) }
            var value = random.next()
            for _ in 0..<11 {
                bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
                value /= 10
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A random `k` in 1...tableSize, or a random existing id.
    public mutating func randomID() -> Int64 { Int64(random.next() % UInt64(tableSize)) + 1 }

    /// The prepare step's statements in order: CREATE TABLE, the multi-row INSERTs, CREATE INDEX. `progress` is
    /// told the rows inserted so far after each INSERT.
    public mutating func prepare(
        _ execute: (String) throws -> Void, progress: (Int) -> Void = { _ in }
    ) rethrows {
        try execute(Self.createTable)
        var inserted = 0
        while inserted < tableSize {
            var statement = "INSERT INTO sbtest1(k, c, pad) VALUES"
            var first = true
            while inserted < tableSize && statement.utf8.count < Self.insertBytesMax - 256 {
                statement += first ? "" : ","
                statement += "(\(randomID()), '\(digits(groups: 10))', '\(digits(groups: 5))')"
                first = false
                inserted += 1
            }
            try execute(statement)
            progress(inserted)
        }
        try execute(Self.createIndex)
    }

    /// One `oltp_write_only` transaction as text SQL (sysbench's `--db-ps-mode=disable` form): BEGIN, UPDATE k,
    /// UPDATE c, DELETE, INSERT of the deleted id, COMMIT.
    public mutating func writeTransaction() -> [String] {
        let id = randomID()
        return [
            "BEGIN",
            "UPDATE sbtest1 SET k=k+1 WHERE id=\(randomID())",
            "UPDATE sbtest1 SET c='\(digits(groups: 10))' WHERE id=\(randomID())",
            "DELETE FROM sbtest1 WHERE id=\(id)",
            "INSERT INTO sbtest1 (id, k, c, pad) VALUES (\(id), \(randomID()), '\(digits(groups: 10))', "
                + "'\(digits(groups: 5))')",
            "COMMIT",
        ]
    }
}
