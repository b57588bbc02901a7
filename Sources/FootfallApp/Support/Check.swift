import Foundation
import Vapor

/// Checks of request fields that fail with `invalid_request` naming the field.
enum Check {
    static func nonEmpty(_ value: String, _ field: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw APIError.invalidRequest(field: field, detail: "must not be empty.") }
        guard trimmed.count <= 200 else { throw APIError.invalidRequest(field: field, detail: "must be at most 200 characters.") }
        return trimmed
    }

    static func positive(_ value: Int, _ field: String) throws -> Int {
        guard value > 0 else { throw APIError.invalidRequest(field: field, detail: "must be greater than zero.") }
        return value
    }

    static func bounded(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws -> Int {
        guard range.contains(value) else {
            throw APIError.invalidRequest(field: field, detail: "must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    static func uuid(_ request: Request, _ parameter: String) throws -> UUID {
        guard let text = request.parameters.get(parameter), let id = UUID(uuidString: text) else {
            throw APIError.notFound(parameter.replacingOccurrences(of: "Id", with: ""))
        }
        return id
    }

    /// A query parameter's text: nil when it is not given, 400 when it is given but cannot be
    /// read (percent-escapes that are not UTF-8 text), never taken as "not given".
    static func queryText(_ request: Request, _ field: String) throws -> String? {
        if let text: String = request.query[field] { return text }
        let given = (request.url.query ?? "").split(separator: "&").contains { pair in
            pair.split(separator: "=", maxSplits: 1).first.map { String($0).removingPercentEncoding ?? String($0) } == field
        }
        guard !given else { throw APIError.invalidRequest(field: field, detail: "is not readable text (percent-escapes must be UTF-8).") }
        return nil
    }

    static func queryTime(_ request: Request, _ field: String) throws -> Date? {
        guard let text = try queryText(request, field) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw APIError.invalidRequest(field: field, detail: "expected an RFC 3339 time from 2000 to 2099 such as 2026-11-26T09:00:00Z.")
        }
        return date
    }

    static func queryUUID(_ request: Request, _ field: String) throws -> UUID? {
        guard let text = try queryText(request, field) else { return nil }
        guard let id = UUID(uuidString: text) else { throw APIError.invalidRequest(field: field, detail: "expected a UUID.") }
        return id
    }
}
