import ClusterControl
import PageStore

/// A form-encoded Query API request (`Action=...&Version=...&Param=value...`), with typed accessors that throw
/// the AWS error a malformed value deserves.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Parses `application/x-www-form-urlencoded` text; nil if a percent escape is broken.
    init?(form: String) {
        for pair in form.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                return nil
            }
            values[key] = value
        }
    }

    var action: String? { values["Action"] }
    var version: String? { values["Version"] }

    func string(_ name: String) -> String? { values[name] }

    func required(_ name: String) throws(RDSError) -> String {
        guard let value = values[name], !value.isEmpty else {
            throw RDSError(.missingParameter, "The request must contain the parameter \(name)")
        }
        return value
    }

    func int(_ name: String) throws(RDSError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else {
            throw RDSError(.invalidParameterValue, "Invalid value for \(name): \(text)")
        }
        return value
    }

    func int64(_ name: String) throws(RDSError) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let value = Int64(text) else {
            throw RDSError(.invalidParameterValue, "Invalid value for \(name): \(text)")
        }
        return value
    }

    func bool(_ name: String) throws(RDSError) -> Bool? {
        guard let text = values[name] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw RDSError(.invalidParameterValue, "Invalid value for \(name): \(text) (use true or false)")
        }
    }

    func timestamp(_ name: String) throws(RDSError) -> Timestamp? {
        guard let text = values[name] else { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw RDSError(.invalidParameterValue, "Invalid timestamp for \(name): \(text) (use ISO 8601)")
        }
        return time
    }

    /// `Param.Member.1`, `Param.Member.2`, ... until the first missing index.
    func list(_ name: String, member: String) -> [String] {
        var items: [String] = []
        while let item = values["\(name).\(member).\(items.count + 1)"] { items.append(item) }
        return items
    }

    /// `Filters.Filter.N.Name` with `Filters.Filter.N.Values.Value.M`.
    func filters() -> [(name: String, values: [String])] {
        var filters: [(String, [String])] = []
        while let name = values["Filters.Filter.\(filters.count + 1).Name"] {
            filters.append((name, list("Filters.Filter.\(filters.count + 1).Values", member: "Value")))
        }
        return filters
    }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
