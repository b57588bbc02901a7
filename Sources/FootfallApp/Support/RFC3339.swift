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

    static func parse(_ text: String) -> Date? {
        (try? whole.parse(text)) ?? (try? fractional.parse(text))
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
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an RFC 3339 time such as 2026-11-26T09:00:00Z.")
            }
            return date
        }
        return decoder
    }
}
