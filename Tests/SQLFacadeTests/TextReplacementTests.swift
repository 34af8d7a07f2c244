import Testing

@testable import SQLFacade

@Suite struct TextReplacementTests {
    /// Result formatting and the endpoint's identifier quoting go through `replacingOccurrences`; it works on UTF-8
    /// bytes.
    @Test func replacesEveryOccurrenceAndLeavesOtherTextAlone() {
        #expect("it's".replacingOccurrences(of: "'", with: "''") == "it''s")
        #expect("''".replacingOccurrences(of: "'", with: "''") == "''''")
        #expect("no quotes".replacingOccurrences(of: "'", with: "''") == "no quotes")
        #expect("".replacingOccurrences(of: "'", with: "''") == "")
        #expect("1e+20".replacingOccurrences(of: "e+", with: "e") == "1e20")
        #expect("e+e+e".replacingOccurrences(of: "e+", with: "") == "e")
        #expect("café \"日本\" 😀".replacingOccurrences(of: "\"", with: "\"\"") == "café \"\"日本\"\" 😀")
        #expect("日本日本".replacingOccurrences(of: "本", with: "-") == "日-日-")
    }
}
