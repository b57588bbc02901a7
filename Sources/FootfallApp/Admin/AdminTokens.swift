import Fluent
import Vapor

/// Admin API tokens made on the command line.
public enum AdminTokens {
    /// Makes a token, stores its SHA-256 and returns the token itself, which is shown only once.
    public static func create(name: String, on db: any Database) async throws -> String {
        let token = "ffa_" + SecretToken.make()
        let model = AdminTokenModel()
        model.name = name
        model.tokenHash = SecretToken.digest(token)
        try await model.create(on: db)
        return token
    }
}
