import Fluent
import Foundation

/// An API token made by `footfall admin token`, stored as its SHA-256.
final class AdminTokenModel: Model, @unchecked Sendable {
    static let schema = "admin_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _name, _tokenHash, _createdAt] }
}

/// Who changed what, and when: every edit of a visit's times.
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_log"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "subject_id") var subjectId: UUID
    @Field(key: "details") var details: [String: String]

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _at, _actor, _action, _subjectId, _details] }
}

/// Server-wide secrets made once at the first migration and shared by every instance.
final class ServerSecretModel: Model, @unchecked Sendable {
    static let schema = "server_secrets"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _value] }

    init(name: String, value: String) {
        self.id = name
        self.value = value
    }
}

/// A person who runs the spaces through the admin panel: email and a Bcrypt password hash.
final class AdminUserModel: Model, @unchecked Sendable {
    static let schema = "admin_users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _email, _name, _passwordHash, _createdAt] }
}

/// A signed-in browser: the SHA-256 of its session cookie, and the token its forms must carry.
final class AdminSessionModel: Model, @unchecked Sendable {
    static let schema = "admin_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "user_id") var userId: UUID
    /// Forms and API calls made with the cookie must send this back (`_csrf` field or `X-CSRF-Token` header).
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _tokenHash, _userId, _csrfToken, _expiresAt, _createdAt] }
}
