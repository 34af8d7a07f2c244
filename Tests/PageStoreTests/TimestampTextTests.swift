import PageStore
import Testing

@Suite struct TimestampTextTests {
    @Test func parsesWhatMySQLAndAWSClientsSend() throws {
        let ten = try #require(Timestamp(iso8601: "2026-11-21T10:00:00Z"))
        #expect(ten.description == "2026-11-21T10:00:00.000000Z")
        #expect(Timestamp(iso8601: "2026-11-21 10:00:00") == ten)
        #expect(Timestamp(iso8601: "2026-11-21T11:00:00+01:00") == ten)
        #expect(Timestamp(iso8601: "2026-11-21T05:00:00-05:00") == ten)
        #expect(Timestamp(iso8601: "2026-11-21T10:00:00.25Z") == ten.adding(microseconds: 250_000))
        #expect(Timestamp(iso8601: "2026-11-21") == ten.adding(seconds: -36_000))
        #expect(Timestamp(iso8601: "1969-12-31T23:59:59Z") == Timestamp(microseconds: -1_000_000))
        for bad in ["", "tomorrow", "2026-13-01", "2026-11-21T24:00:00Z", "2026-11-21T10:00", "2026-11-21T10:00:00.Z"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }

    @Test func formatsAsAWSAndMySQLDo() throws {
        let time = try #require(Timestamp(iso8601: "2026-11-21T10:35:12.345678Z"))
        #expect(time.iso8601(fractionDigits: 0) == "2026-11-21T10:35:12Z")
        #expect(time.iso8601(fractionDigits: 3) == "2026-11-21T10:35:12.345Z")
        #expect(time.mysqlDateTime == "2026-11-21 10:35:12")
    }
}
