extension Timestamp {
    /// Parses `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH:MM]`, or a bare date. Without a zone the time is UTC, the
    /// zone of MySQL sessions here and of AWS's API. Returns nil for anything else, including impossible fields.
    public init?(iso8601 text: String) {
        var body = Substring(text.trimmingCharacters(in: " "))
        var offsetSeconds: Int64 = 0
        if body.last == "Z" || body.last == "z" {
            body = body.dropLast()
        } else if body.count >= 6, body.contains(where: { $0 == "T" || $0 == " " }) {
            let signIndex = body.index(body.endIndex, offsetBy: -6)
            let sign = body[signIndex]
            if sign == "+" || sign == "-" {
                let zone = body[body.index(after: signIndex)...].split(separator: ":")
                guard zone.count == 2, let hours = Int64(zone[0]), let minutes = Int64(zone[1]), hours < 24,
                    minutes < 60
                else { return nil }
                offsetSeconds = (hours * 60 + minutes) * 60 * (sign == "-" ? -1 : 1)
                body = body[..<signIndex]
            }
        }
        let parts = body.split(omittingEmptySubsequences: false, whereSeparator: { " -:T".contains($0) })
        guard parts.count == 3 || parts.count == 6 else { return nil }
        let numbers = parts.prefix(5).compactMap { Int64($0) }
        guard numbers.count == min(parts.count, 5) else { return nil }
        var secondsText = parts.count > 5 ? parts[5] : "0"
        var micros: Int64 = 0
        if let dot = secondsText.firstIndex(of: ".") {
            let fraction = secondsText[secondsText.index(after: dot)...].prefix(6)
            guard !fraction.isEmpty, let value = Int64(fraction) else { return nil }
            micros = value * Int64([1, 100_000, 10_000, 1000, 100, 10, 1][fraction.count])
            secondsText = secondsText[..<dot]
        }
        guard let seconds = Int64(secondsText) else { return nil }
        let (year, month, day) = (numbers[0], numbers[1], numbers[2])
        let hour = numbers.count > 3 ? numbers[3] : 0
        let minute = numbers.count > 4 ? numbers[4] : 0
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            seconds < 60
        else { return nil }
        let total =
            ((ISO8601Microseconds.days(year: year, month: month, day: day) * 24 + hour) * 60 + minute) * 60
            + seconds - offsetSeconds
        self.init(microseconds: total * 1_000_000 + micros)
    }

    /// ISO 8601 in UTC with `digits` fractional digits (0, 3 or 6): `2026-11-21T10:00:00.123Z` for 3, as AWS
    /// writes timestamps.
    public func iso8601(fractionDigits digits: Int) -> String {
        let full = description  // YYYY-MM-DDTHH:MM:SS.ffffffZ
        let seconds = full.prefix(19)
        guard digits > 0 else { return seconds + "Z" }
        return seconds + "." + full.dropFirst(20).prefix(min(digits, 6)) + "Z"
    }

    /// `YYYY-MM-DD HH:MM:SS`, as MySQL prints a DATETIME.
    public var mysqlDateTime: String {
        let full = description
        return full.prefix(10) + " " + full.dropFirst(11).prefix(8)
    }
}

extension ISO8601Microseconds {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`), the inverse of
    /// `civil(fromDays:)`.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
