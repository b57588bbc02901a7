import Fluent
import Foundation

struct CreateAdministration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AdminTokenModel.schema)
            .id()
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(AuditEntryModel.schema)
            .id()
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("details", .json, .required)
            .create()
        try await database.schema(ServerSecretModel.schema)
            .field("name", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await ServerSecretModel(name: ServerSecretModel.pinKey, value: SecretToken.make()).create(on: database)
    }

    func revert(on database: any Database) async throws {
        for schema in [ServerSecretModel.schema, AuditEntryModel.schema, AdminTokenModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
