/// The name of an RDS resource of one kind. AWS stores identifiers in lower case and matches them
/// case-insensitively, so an identifier is lower-cased on the way in. The kind keeps a cluster's name from being
/// passed where an instance's is expected.
public struct Identifier<Kind: IdentifierKind>: RawRepresentable, Hashable, Comparable, Sendable,
    CustomStringConvertible, ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue.lowercased() }
    public init(_ string: String) { self.init(rawValue: string) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }

    /// AWS's identifier rule: 1 to 63 letters, digits or hyphens; a letter first; no hyphen last or twice in a
    /// row. Throws `InvalidParameterValue` naming the parameter.
    func validate() throws(RDSError) {
        let bytes = Array(rawValue.utf8)
        let valid =
            (1...63).contains(bytes.count) && bytes[0].isLetter && bytes.last != UInt8(ascii: "-")
            && bytes.allSatisfy { $0.isLetter || $0.isDigit || $0 == UInt8(ascii: "-") }
            && !rawValue.contains("--")
        guard valid else {
            throw .value(
                "The parameter \(Kind.parameter) is not a valid identifier. Identifiers must begin with a letter; "
                    + "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or "
                    + "contain two consecutive hyphens.")
        }
    }
}

public protocol IdentifierKind: Sendable {
    /// The API parameter that carries identifiers of this kind, for error messages.
    static var parameter: String { get }
}

public enum ClusterKind: IdentifierKind { public static let parameter = "DBClusterIdentifier" }
public enum InstanceKind: IdentifierKind { public static let parameter = "DBInstanceIdentifier" }
public enum SnapshotKind: IdentifierKind { public static let parameter = "DBClusterSnapshotIdentifier" }

public typealias ClusterID = Identifier<ClusterKind>
public typealias InstanceID = Identifier<InstanceKind>
public typealias SnapshotID = Identifier<SnapshotKind>

extension UInt8 {
    var isLetter: Bool { (0x61...0x7A).contains(self | 0x20) }
    var isDigit: Bool { (0x30...0x39).contains(self) }
}
