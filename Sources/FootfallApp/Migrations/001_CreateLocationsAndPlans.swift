import Fluent

struct CreateLocationsAndPlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LocationModel.schema)
            .id()
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("capacity", .int)
            .field("opening_hours", .json)
            .field("cutoff_time", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(PlanModel.schema)
            .id()
            .field("name", .string, .required)
            .field("location_ids", .array(of: .uuid), .required)
            .field("access_hours", .json)
            .field("limit_period", .string)
            .field("limit_hours", .double)
            .field("limit_days", .int)
            .field("limit_enforce", .bool, .required)
            .field("overtime", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PlanModel.schema).delete()
        try await database.schema(LocationModel.schema).delete()
    }
}
