import Fluent
import Foundation

/// An RFID card, stored in its normalised form.
final class CardModel: Model, @unchecked Sendable {
    static let schema = "cards"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "normalized") var normalized: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A Wi-Fi login: a username and a password that is shown once.
final class AccessTokenModel: Model, @unchecked Sendable {
    static let schema = "access_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    /// The password itself, kept only for a token made for CHAP, which needs it at the server
    /// (see the README). Never logged or returned again.
    @OptionalField(key: "chap_password") var chapPassword: StoredSecret?
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// The customer's id at a door system.
final class ExternalIdModel: Model, @unchecked Sendable {
    static let schema = "external_ids"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "system") var system: String
    @Field(key: "external_id") var externalId: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
