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
