import Fluent
import SQLKit

struct CreateCheckIns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CheckInModel.schema)
            .id()
            .field("customer_id", .uuid, .required)
            .field("location_id", .uuid, .required)
            .field("checked_in_at", .datetime, .required)
            .field("checked_out_at", .datetime)
            .field("method", .string, .required)
            .field("check_out_method", .string)
            .field("device_id", .uuid)
            .field("admitted_plan_id", .uuid)
            .field("admitted_pass_id", .uuid)
            .field("time_limit_at", .datetime)
            .field("closes_at", .datetime)
            .create()
        try await database.schema(FailedCheckInModel.schema)
            .id()
            .field("at", .datetime, .required)
            .field("location_id", .uuid, .required)
            .field("method", .string, .required)
            .field("device_id", .uuid)
            .field("customer_id", .uuid)
            .field("credential", .string)
            .field("reason", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        // The database itself keeps a customer in one place at a time, whichever server writes.
        try await sql.raw("""
            CREATE UNIQUE INDEX check_ins_one_open_per_customer ON check_ins (customer_id) WHERE checked_out_at IS NULL
            """).run()
        // Who is in at a location; what the sweeper must close next.
        try await sql.raw("CREATE INDEX check_ins_open_by_location ON check_ins (location_id) WHERE checked_out_at IS NULL").run()
        try await sql.raw("CREATE INDEX check_ins_due ON check_ins (closes_at) WHERE checked_out_at IS NULL").run()
        // A customer's history (usage accounting) and a location's history (lists and reports).
        try await database.index("check_ins_customer_time", on: CheckInModel.schema, columns: "customer_id", "checked_in_at")
        try await database.index("check_ins_location_time", on: CheckInModel.schema, columns: "location_id", "checked_in_at")
        try await database.index("check_ins_pass", on: CheckInModel.schema, columns: "admitted_pass_id")
        try await database.index("failed_check_ins_time", on: FailedCheckInModel.schema, columns: "at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FailedCheckInModel.schema).delete()
        try await database.schema(CheckInModel.schema).delete()
    }
}
