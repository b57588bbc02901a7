import Fluent
import Vapor

/// Admin users made on the command line (`footfall admin create`) or by the demo data.
public enum AdminUsers {
    public static let minimumPasswordLength = 10

    /// Makes the admin user, or gives an existing one (same email) this password and name.
    /// Returns whether a new user was made. The password is stored as a Bcrypt hash.
    @discardableResult
    public static func create(email: String, password: String, name: String?, in app: Application) async throws -> Bool {
        let email = try CustomerInput.normalizedEmail(email)
        guard password.count >= minimumPasswordLength else {
            throw SettingsError.invalid(name: "--password", value: "(hidden)", expected: "at least \(minimumPasswordLength) characters")
        }
        let hash = try await app.password.async.hash(password)
        let existing = try await AdminUserModel.query(on: app.db).filter(\.$email == email).first()
        let user = existing ?? AdminUserModel()
        user.email = email
        user.name = name ?? existing?.name ?? email
        user.passwordHash = hash
        try await user.save(on: app.db)
        if existing != nil {
            // A new password signs out every browser that used the old one.
            try await AdminSessionModel.query(on: app.db).filter(\.$userId == user.requireID()).delete()
        }
        return existing == nil
    }
}
