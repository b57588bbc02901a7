/// A secret the server must keep in the clear because a protocol needs it (a RADIUS shared
/// secret, a webhook signing key, a CHAP password). Stored as plain text; written as
/// `<redacted>` wherever it is described, so that query logging (Fluent's and SQLKit's, at debug
/// level) and any interpolation never show it.
struct StoredSecret: Codable, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    init(_ value: String) { self.value = value }

    init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(String.self) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
}
