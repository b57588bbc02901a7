import Foundation

/// RFC 3339 times as the API writes them: UTC with a `Z`, fractional seconds only when present.
/// Requests may carry any offset.
enum RFC3339 {
    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds - seconds.rounded(.down) >= 0.0005 ? fractional.format(date) : whole.format(date)
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
