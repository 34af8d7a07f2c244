import PageStore

/// The clock behind `/_backtrack/clock`: `advance=SECONDS` (may be fractional or negative) or `set=ISO8601`,
/// form-encoded. Not part of the AWS API.
public struct AdminClock: Sendable {
    public let clock: OffsetClock

    public init(_ clock: OffsetClock) { self.clock = clock }

    func now() -> Timestamp { clock.now() }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    func apply(form: String) -> Result<Timestamp, Refusal> {
        let pairs = form.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        guard pairs.count == 1, pairs[0].count == 2 else {
            return .failure(Refusal(description: "send one of advance=SECONDS or set=YYYY-MM-DDTHH:MM:SSZ"))
        }
        let value = pairs[0][1].replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "+", with: " ")
        switch pairs[0][0] {
        case "advance":
            guard let seconds = Double(value), seconds.isFinite, abs(seconds) < 1e9 else {
                return .failure(Refusal(description: "advance takes a number of seconds"))
            }
            clock.advance(microseconds: Int64(seconds * 1_000_000))
        case "set":
            guard let time = Timestamp(iso8601: value) else {
                return .failure(Refusal(description: "set takes an ISO 8601 time"))
            }
            clock.set(time)
        default:
            return .failure(Refusal(description: "unknown clock request \(pairs[0][0])"))
        }
        return .success(clock.now())
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
