import Fluent
import Foundation

final class DeviceModel: Model, @unchecked Sendable {
    static let schema = "devices"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "location_id") var locationId: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "direction") var direction: String
    @OptionalField(key: "doors") var doors: [String: String]?
    @OptionalField(key: "nas_identifier") var nasIdentifier: String?
    @OptionalField(key: "nas_ip") var nasIp: String?
    /// SHA-256 of the device key, for bearer authentication.
    @Field(key: "key_hash") var keyHash: String
    /// The key itself, kept only where a protocol needs it in the clear: the RADIUS shared secret
    /// of a Wi-Fi device and the webhook signing key of a door. Never logged or returned again.
    @OptionalField(key: "signing_key") var signingKey: StoredSecret?
    /// Wi-Fi devices: whether an Access-Request without a valid Message-Authenticator is dropped
    /// (BlastRADIUS, CVE-2024-3596). Off only for an old NAS that cannot send one.
    @Field(key: "require_message_authenticator") var requireMessageAuthenticator: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _name, _locationId, _kind, _direction, _doors, _nasIdentifier, _nasIp, _keyHash, _signingKey, _requireMessageAuthenticator,
            _createdAt
        ]
    }
}
