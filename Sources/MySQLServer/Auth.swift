import Crypto

/// The two password schemes clients use, checked against the plaintext password the server knows.
enum Auth {
    static let nativePassword = "mysql_native_password"
    static let cachingSHA2 = "caching_sha2_password"

    /// A 20-byte scramble of printable bytes without NUL, as MySQL servers send.
    static func scramble(_ random: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<20).map { _ in UInt8.random(in: 0x21...0x7E, using: &random) }
    }

    /// `mysql_native_password`: SHA1(pw) XOR SHA1(scramble ‖ SHA1(SHA1(pw))). An empty password sends nothing.
    static func native(password: String, scramble: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(Insecure.SHA1.hash(data: Array(password.utf8)))
        let stage2 = Array(Insecure.SHA1.hash(data: stage1))
        let mix = Array(Insecure.SHA1.hash(data: scramble + stage2))
        return zip(stage1, mix).map { $0 ^ $1 }
    }

    /// `caching_sha2_password`'s fast path: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) ‖ scramble).
    static func cachingSHA2(password: String, scramble: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(SHA256.hash(data: Array(password.utf8)))
        let stage2 = Array(SHA256.hash(data: stage1))
        let mix = Array(SHA256.hash(data: stage2 + scramble))
        return zip(stage1, mix).map { $0 ^ $1 }
    }

    /// Whether `response` proves `password` under `plugin`, compared in constant time.
    static func verify(_ response: [UInt8], plugin: String, password: String, scramble: [UInt8]) -> Bool {
        let expected =
            plugin == cachingSHA2
            ? cachingSHA2(password: password, scramble: scramble) : native(password: password, scramble: scramble)
        guard expected.count == response.count else { return false }
        return zip(expected, response).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
