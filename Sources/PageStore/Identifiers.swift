/// Log sequence number: the position of one commit in the store's redo log.
///
/// LSNs are strictly increasing across the whole store (every volume and branch), so an LSN names exactly one
/// commit. `LSN.zero` precedes every commit: a position at LSN zero is an empty state.
public struct LSN: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = LSN(0)
    public static func < (a: LSN, b: LSN) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "LSN \(rawValue)" }

    /// The LSN after this one.
    public var next: LSN { LSN(rawValue + 1) }
}

/// A page of a file, numbered from 1 as SQLite numbers them.
public struct PageNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (a: PageNumber, b: PageNumber) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "page \(rawValue)" }

    /// Zero-based index into a file's page array.
    var index: Int { Int(rawValue) - 1 }
}

/// Microseconds since the Unix epoch, from a `WallClock`.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(microseconds: Int64) { self.rawValue = microseconds }
    public init(seconds: Double) { self.rawValue = Int64((seconds * 1_000_000).rounded()) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }
    public var microseconds: Int64 { rawValue }
    public var seconds: Double { Double(rawValue) / 1_000_000 }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(microseconds: rawValue + seconds * 1_000_000) }
    public func adding(microseconds: Int64) -> Timestamp { Timestamp(microseconds: rawValue + microseconds) }

    public var description: String { ISO8601Microseconds.format(self) }
}

/// A line of commits. Clones, copy-on-write restores and the first commit after a backtrack each start one.
public struct BranchID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { "branch \(rawValue)" }
}

/// A volume: what one cluster mounts.
public struct VolumeID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { "volume \(rawValue)" }
}

/// The store-wide identity of a file name. The same name in two volumes has the same `FileID`; their pages
/// never mix because they live on different branches.
struct FileID: Hashable, Sendable {
    var rawValue: UInt32
}

/// A point in the version graph: the state of branch `branch` after its commits up to `lsn`.
public struct Position: Hashable, Sendable, CustomStringConvertible {
    public var branch: BranchID
    public var lsn: LSN
    public init(branch: BranchID, lsn: LSN) {
        self.branch = branch
        self.lsn = lsn
    }
    public var description: String { "(\(branch), \(lsn))" }
}

/// Formats timestamps as `2026-11-21T10:00:00.000000Z` without Foundation, so that `PageStore` depends on the
/// standard library only (DESIGN.md, Layers).
enum ISO8601Microseconds {
    static func format(_ t: Timestamp) -> String {
        let micros = t.rawValue
        var seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
