import Foundation
import FootfallCore

/// RFC 3339 times as the API writes them: UTC with a `Z`, fractional seconds only when present.
/// Requests may carry any offset.
enum RFC3339 {
    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// UTC, with milliseconds when there are any (cut, not rounded), as `ISO8601FormatStyle`
    /// writes it: `2026-11-26T09:00:00Z`, `2026-11-26T09:00:00.250Z`. Should a Foundation
    /// release round instead, `RFC3339Tests` fails and says for which times.
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let withMilliseconds = seconds - seconds.rounded(.down) >= 0.0005
        guard accepted.contains(date) else { return withMilliseconds ? fractional.format(date) : whole.format(date) }
        // The style counts from 2001, as `Date` keeps time: the fraction of that count can differ
        // from the fraction since 1970 in its last bits, and so by a millisecond once cut.
        let sinceReference = date.timeIntervalSinceReferenceDate
        let wholeSeconds = sinceReference.rounded(.down)
        return text(seconds: Int(wholeSeconds) + 978_307_200,
                    milliseconds: withMilliseconds ? Int(((sinceReference - wholeSeconds) * 1000).rounded(.down)) : nil)
    }

    /// The text of a time in `accepted`, worked out from the count of days since 1970
    /// (`LocalDate(daysSince1970:)`): every device answer and event carries a few, and the
    /// format style goes through a calendar for each.
    private static func text(seconds: Int, milliseconds: Int?) -> String {
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let date = LocalDate(daysSince1970: days)
        return String(unsafeUninitializedCapacity: 24) { text in
            var at = 0
            func digits(_ value: Int, _ count: Int, then separator: UInt8?) {
                var value = value
                for place in stride(from: count - 1, through: 0, by: -1) {
                    text[at + place] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                at += count
                if let separator {
                    text[at] = separator
                    at += 1
                }
            }
            digits(date.year, 4, then: UInt8(ascii: "-"))
            digits(date.month, 2, then: UInt8(ascii: "-"))
            digits(date.day, 2, then: UInt8(ascii: "T"))
            digits(second / 3_600, 2, then: UInt8(ascii: ":"))
            digits(second / 60 % 60, 2, then: UInt8(ascii: ":"))
            digits(second % 60, 2, then: milliseconds == nil ? nil : UInt8(ascii: "."))
            if let milliseconds { digits(milliseconds, 3, then: nil) }
            text[at] = UInt8(ascii: "Z")
            return at + 1
        }
    }

    /// Times Footfall takes: from 2000 to the end of 2099. Further out is a mistake or an attack,
    /// and would overflow the databases' time types and calendar arithmetic.
    static let accepted = Date(timeIntervalSince1970: 946_684_800)..<Date(timeIntervalSince1970: 4_102_444_800)

    static func parse(_ text: String) -> Date? {
        // Longer than any RFC 3339 time (nanoseconds and an offset fit in 35): no parser sees a
        // ten-digit year.
        guard text.utf8.count <= 40, let date = (try? whole.parse(text)) ?? (try? fractional.parse(text)), accepted.contains(date)
        else { return nil }
        return date
    }
}

extension RFC3339 {
    /// The encoder of the API's JSON answers (`WireObject`, and `content.encode` as configured).
    static let apiEncoder = jsonEncoder()

    /// The encoder of every JSON answer: RFC 3339 times, sorted keys, unescaped slashes.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// The decoder of every JSON request: RFC 3339 times with any offset.
    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(decodeDate)
        return decoder
    }

    /// A time in a request body, JSON or form: RFC 3339 text only (never a bare number, which a
    /// form decoder would take as seconds of any size, NaN or infinity).
    @Sendable static func decodeDate(_ decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an RFC 3339 time from 2000 to 2099 such as 2026-11-26T09:00:00Z.")
        }
        return date
    }
}
