import Fluent
import Foundation

/// An event a device sent, with the answer it was given: a retry with the same event id gets
/// this answer again and changes nothing.
final class DeviceEventModel: Model, @unchecked Sendable {
    static let schema = "device_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "device_id") var deviceId: UUID
    @Field(key: "event_id") var eventId: String
    @Field(key: "at") var at: Date
    @OptionalField(key: "customer_id") var customerId: UUID?
    /// Which credential it was (`card:CARD_ID`, `pin:CUSTOMER_ID`, `member_code:CUSTOMER_ID`),
    /// for the double-tap rule; never the credential itself.
    @OptionalField(key: "credential_key") var credentialKey: String?
    @Field(key: "result") var result: String
    /// The JSON answer exactly as sent.
    @Field(key: "answer") var answer: String

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _deviceId, _eventId, _at, _customerId, _credentialKey, _result, _answer] }
}

/// One reading under which a card is recognised (see `CardNumber.matchKeys`). Unique, so no
/// two cards can be mistaken for each other.
final class CardKeyModel: Model, @unchecked Sendable {
    static let schema = "card_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "card_id") var cardId: UUID
    @Field(key: "key") var key: String

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _cardId, _key] }

    init(cardId: UUID, key: String) {
        self.cardId = cardId
        self.key = key
    }
}
