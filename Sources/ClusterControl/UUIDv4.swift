/// Version 4 UUIDs in their canonical text form (`8a7b6c5d-1234-4e5f-9a8b-0c1d2e3f4a5b`), from any generator:
/// backtrack and clone-group identifiers from the control plane's seeded one, request ids from the system's.
public enum UUIDv4 {
    public static func string(using random: inout some RandomNumberGenerator) -> String {
        let high = (random.next() & ~0xF000) | 0x4000  // version 4
        let low = (random.next() & ~(UInt64(0xC) << 60)) | (UInt64(0x8) << 60)  // RFC 4122 variant
        let hex = Array(digits(high) + digits(low))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    private static func digits(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
