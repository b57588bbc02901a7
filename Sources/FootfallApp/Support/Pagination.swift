import Fluent
import Vapor

/// `?limit=` (default 50, at most 1000) and `?cursor=`. The cursor is opaque to clients; it
/// holds the offset of the next page.
struct PageRequest {
    var limit: Int
    var offset: Int

    /// The furthest offset a cursor may hold: far past any list here, and far from overflowing.
    static let maximumOffset = Int(Int32.max)

    init(_ request: Request) throws {
        if let limitText = try Check.queryText(request, "limit") {
            guard let limit = Int(limitText), (1...1000).contains(limit) else {
                throw APIError.invalidRequest(field: "limit", detail: "must be a whole number from 1 to 1000.")
            }
            self.limit = limit
        } else {
            limit = 50
        }
        if let cursor = try Check.queryText(request, "cursor") {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("o:"), let offset = Int(text.dropFirst(2)), (0...Self.maximumOffset).contains(offset)
            else { throw APIError.invalidRequest(field: "cursor", detail: "is not a cursor this server gave out.") }
            self.offset = offset
        } else {
            offset = 0
        }
    }

    /// Runs the query for this page; one row more than asked tells whether another page follows.
    func fetch<M: Model>(_ query: QueryBuilder<M>) async throws -> (rows: [M], nextCursor: String?) {
        let rows = try await query.range(offset..<(offset + limit + 1)).all()
        guard rows.count > limit else { return (rows, nil) }
        return (Array(rows.prefix(limit)), nextCursor)
    }

    /// This page of a list already in memory.
    func slice<T>(_ items: [T]) -> (rows: [T], nextCursor: String?) {
        let rows = Array(items.dropFirst(offset).prefix(limit))
        return (rows, offset + limit < items.count ? nextCursor : nil)
    }

    /// Past the furthest offset there is no next page (both are at most `Int32.max`: no overflow).
    private var nextCursor: String? {
        offset + limit <= Self.maximumOffset ? Data("o:\(offset + limit)".utf8).base64EncodedString() : nil
    }
}
