import Fluent
import FootfallCore
import Foundation

/// An RFID card, stored in its normalised form.
final class CardModel: Model, @unchecked Sendable {
    static let schema = "cards"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "normalized") var normalized: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _customerId, _normalized, _createdAt] }
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
    /// Whether the token admits on Wi-Fi by itself, within the allowance below (visitor tokens
    /// always do; a member's token when made with minutes, a validity or locations).
    @OptionalField(key: "has_allowance") var hasAllowance: Bool?
    @OptionalField(key: "minutes") var minutes: Int?
    @OptionalField(key: "valid_from") var validFrom: Date?
    @OptionalField(key: "valid_until") var validUntil: Date?
    @OptionalField(key: "location_ids") var locationIds: [UUID]?
    /// Distinct devices online at once; nil is no limit.
    @OptionalField(key: "max_devices") var maxDevices: Int?
    /// Visitor tokens: the label of the batch they were printed in.
    @OptionalField(key: "batch_label") var batchLabel: String?
    /// Seconds used by visits whose link to this token retention has removed.
    @OptionalField(key: "anonymised_seconds") var anonymisedSeconds: Double?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _customerId, _username, _passwordHash, _chapPassword, _expiresAt, _hasAllowance, _minutes, _validFrom, _validUntil,
            _locationIds, _maxDevices, _batchLabel, _anonymisedSeconds, _createdAt
        ]
    }

    /// The allowance as the rules see it, with what its visits have used.
    func allowance(usedSeconds: TimeInterval) -> TokenAllowance? {
        guard hasAllowance == true, let id else { return nil }
        return TokenAllowance(id: id, minutes: minutes, validFrom: validFrom, validUntil: validUntil,
                              locationIds: Set(locationIds ?? []), usedSeconds: usedSeconds + (anonymisedSeconds ?? 0))
    }
}

/// A device online on an access token: one per MAC address (`Calling-Station-Id`) and visit.
/// It goes offline when its session stops, or when the visit closes.
final class WifiDeviceModel: Model, @unchecked Sendable {
    static let schema = "wifi_devices"

    @ID(key: .id) var id: UUID?
    @Field(key: "check_in_id") var checkInId: UUID
    @Field(key: "access_token_id") var accessTokenId: UUID
    /// The MAC address, or the session id for a NAS that sends none.
    @Field(key: "device") var device: String
    @OptionalField(key: "nas_id") var nasId: UUID?
    @OptionalField(key: "session_id") var sessionId: String?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _checkInId, _accessTokenId, _device, _nasId, _sessionId, _endedAt, _createdAt] }
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

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _customerId, _system, _externalId, _createdAt] }
}
