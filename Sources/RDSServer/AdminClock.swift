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
        guard let parameters = QueryParameters(form: form) else {
            return .failure(Refusal(description: "the request body is not valid form encoding"))
        }
        switch (parameters.string("advance"), parameters.string("set")) {
        case (let advance?, nil):
            guard let seconds = Double(advance), seconds.isFinite, abs(seconds) < 1e9 else {
                return .failure(Refusal(description: "advance takes a number of seconds"))
            }
            clock.advance(microseconds: Int64(seconds * 1_000_000))
        case (nil, let set?):
            guard let time = Timestamp(iso8601: set) else {
                return .failure(Refusal(description: "set takes an ISO 8601 time"))
            }
            clock.set(time)
        default:
            return .failure(Refusal(description: "send one of advance=SECONDS or set=YYYY-MM-DDTHH:MM:SSZ"))
        }
        return .success(clock.now())
    }
}
