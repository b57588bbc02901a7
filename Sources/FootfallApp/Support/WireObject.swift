import Vapor

/// An object the API sends. Unlike synthesised `Encodable`, absent values are written as
/// `null`, as API.md's shapes promise (`capacity|null`), so clients see every field.
protocol WireObject: Encodable, AsyncResponseEncodable, Sendable {}

extension WireObject {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WireKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label else { continue }
            let key = WireKey(stringValue: label)
            if let optional = child.value as? any OptionalValue, optional.isNil {
                try container.encodeNil(forKey: key)
            } else if let value = child.value as? any Encodable {
                try container.encode(value, forKey: key)
            }
        }
    }

    func encodeResponse(for request: Request) async throws -> Response {
        try response(status: .ok)
    }

    /// What `content.encode(self, as: .json)` answers, encoded by the API's encoder straight
    /// away: `content.encode` looks the encoder up in the global configuration (a lock and a
    /// copy of it) for every answer.
    func response(status: HTTPResponseStatus) throws -> Response {
        var headers = HTTPHeaders()
        var body = ByteBuffer()
        try RFC3339.apiEncoder.encode(self, to: &body, headers: &headers)
        return Response(status: status, headers: headers, body: .init(buffer: body))
    }
}

/// A page of a list: `{"items": [...], "nextCursor": "..." | null}`.
struct Page<Item: Encodable & Sendable>: WireObject {
    var items: [Item]
    var nextCursor: String?
}

private protocol OptionalValue {
    var isNil: Bool { get }
}

extension Optional: OptionalValue {
    fileprivate var isNil: Bool {
        switch self {
        case .none: true
        case .some: false
        }
    }
}

struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
