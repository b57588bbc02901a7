import Fluent
import Foundation

/// An operator's subscription: where to send which events, for which locations.
final class WebhookModel: Model, @unchecked Sendable {
    static let schema = "webhooks"

    @ID(key: .id) var id: UUID?
    @Field(key: "url") var url: String
    /// `check_in`, `check_out`, `failed_check_in`, `charge`.
    @Field(key: "events") var events: [String]
    /// Empty: every location.
    @Field(key: "location_ids") var locationIds: [UUID]
    @OptionalField(key: "description") var description: String?
    /// `whsec_` and the base64 of 32 random bytes: the signing key, needed in the clear to sign.
    @Field(key: "secret") var secret: StoredSecret
    /// False once switched off (by hand, or by the endpoint answering 410).
    @Field(key: "active") var active: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _url, _events, _locationIds, _description, _secret, _active, _createdAt] }
}

/// One event for one endpoint: written in the transaction that made the event (the outbox), then
/// sent until the endpoint takes it or the retries run out. `message_id` is the `webhook-id`
/// header, the same on every attempt.
final class WebhookDeliveryModel: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "webhook_id") var webhookId: UUID
    @Field(key: "message_id") var messageId: String
    @Field(key: "type") var type: String
    /// The body as sent: `{"data":…,"timestamp":…,"type":…}`.
    @Field(key: "body") var body: String
    /// `pending`, `delivered` or `failed`.
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    /// When it is due; while a server is sending it, a little later (its claim).
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalField(key: "last_response_status") var lastResponseStatus: Int?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _webhookId, _messageId, _type, _body, _status, _attempts, _nextAttemptAt, _lastResponseStatus, _lastError, _createdAt,
            _deliveredAt
        ]
    }
}

enum DeliveryStatus: String, CaseIterable { case pending, delivered, failed }
