import Fluent
import SQLKit

/// Wi-Fi sessions on visits (RADIUS accounting), and CHAP-capable access tokens.
struct AddWifiSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        for (name, type) in [("wifi_session_id", DatabaseSchema.DataType.string), ("wifi_mac", .string),
                             ("last_activity_at", .datetime), ("wifi_octets", .int64)] {
            try await database.schema(CheckInModel.schema).field(FieldKey(stringLiteral: name), type).update()
        }
        try await database.index("check_ins_wifi_session", on: CheckInModel.schema, columns: "wifi_session_id")
        try await database.schema(AccessTokenModel.schema).field("chap_password", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessTokenModel.schema).deleteField("chap_password").update()
        for name in ["wifi_octets", "last_activity_at", "wifi_mac", "wifi_session_id"] {
            try await database.schema(CheckInModel.schema).deleteField(FieldKey(stringLiteral: name)).update()
        }
    }
}
