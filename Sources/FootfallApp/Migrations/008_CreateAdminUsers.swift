import Fluent

/// Admin users who sign in to the panel, and their sessions.
struct CreateAdminUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AdminUserModel.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(AdminSessionModel.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(AdminUserModel.schema, "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AdminSessionModel.schema).delete()
        try await database.schema(AdminUserModel.schema).delete()
    }
}
