import PageStore

/// Builds the RDS Query API's XML: elements in the order they are written, text escaped, absent members
/// omitted (the CLI prints absent keys as absent), empty lists written as empty elements (it prints `[]`).
struct XMLWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func open(_ name: String, attributes: String = "") {
        line("<\(name)\(attributes)>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func element(_ name: String, _ body: (inout XMLWriter) -> Void) {
        open(name)
        body(&self)
        close(name)
    }

    /// A list of `member`-named entries, or `<name/>` when empty.
    mutating func list<T>(_ name: String, _ items: [T], _ body: (inout XMLWriter, T) -> Void) {
        guard !items.isEmpty else { return line("<\(name)/>") }
        open(name)
        for item in items { body(&self, item) }
        close(name)
    }

    mutating func value(_ name: String, _ value: String?) {
        guard let value else { return }
        line("<\(name)>\(Self.escape(value))</\(name)>")
    }

    mutating func value(_ name: String, _ value: Int?) { self.value(name, value.map(String.init)) }
    mutating func value(_ name: String, _ value: Int64?) { self.value(name, value.map(String.init)) }
    mutating func value(_ name: String, _ value: Bool?) { self.value(name, value.map { $0 ? "true" : "false" }) }
    /// Timestamps as AWS writes them: ISO 8601 UTC with milliseconds.
    mutating func value(_ name: String, _ time: Timestamp?) {
        value(name, time.map { $0.iso8601(fractionDigits: 3) })
    }

    mutating func empty(_ name: String) { line("<\(name)/>") }

    private mutating func line(_ content: String) {
        text += String(repeating: "  ", count: depth) + content + "\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Characters XML 1.0 cannot carry at all are replaced rather than sent broken.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
