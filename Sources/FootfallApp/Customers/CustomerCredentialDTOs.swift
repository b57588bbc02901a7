import Fluent
import FootfallCore
import Vapor

struct CardInput: Decodable, Sendable {
    var number: String
    var format: String?
}

struct CardDTO: WireObject {
    var id: UUID
    var normalized: String
}

struct AccessTokenInput: Decodable, Sendable {
    var expiresAt: Date?
    /// Also usable with CHAP: the password is then kept at the server, not only its hash.
    var chap: Bool?
}

struct AccessTokenDTO: WireObject {
    var id: UUID
    var username: String
    var password: String
    var expiresAt: Date?
}

struct ExternalIdInput: Decodable, Sendable {
    var system: String
    var externalId: String
}

struct ExternalIdDTO: WireObject {
    var id: UUID
    var customerId: UUID
    var system: String
    var externalId: String
}
