import Fluent
import SQLKit

/// A visit's pass and Wi-Fi session are looked up only by a value (`= ?`), and most visits have
/// neither: card, kiosk and admin check-ins on a plan left an empty entry in both indexes, two
/// more index inserts in every check-in's write. Both now hold only the visits that have one.
struct IndexOnlySetPassesAndSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "check_ins_pass").run()
        try await sql.drop(index: "check_ins_wifi_session").run()
        try await sql.raw("CREATE INDEX check_ins_pass ON check_ins (admitted_pass_id) WHERE admitted_pass_id IS NOT NULL").run()
        try await sql.raw("CREATE INDEX check_ins_wifi_session ON check_ins (wifi_session_id) WHERE wifi_session_id IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "check_ins_pass").run()
        try await sql.drop(index: "check_ins_wifi_session").run()
        try await database.index("check_ins_pass", on: CheckInModel.schema, columns: "admitted_pass_id")
        try await database.index("check_ins_wifi_session", on: CheckInModel.schema, columns: "wifi_session_id")
    }
}
