import Fluent

struct CreateDevices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DeviceModel.schema)
            .id()
            .field("name", .string, .required)
            .field("location_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("direction", .string, .required)
            .field("doors", .json)
            .field("nas_identifier", .string)
            .field("nas_ip", .string)
            .field("key_hash", .string, .required)
            .field("signing_key", .string)
            .field("created_at", .datetime)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DeviceModel.schema).delete()
    }
}
