import Fluent
import SQLKit

/// Guessing limits count wrong PINs and member codes by when the server stored them, never by
/// the time a device claims (`recorded_at`, read through a partial index of wrong credentials
/// only). Wi-Fi devices require a Message-Authenticator on Access-Requests unless marked as an
/// old NAS that cannot send one.
struct AddGuessLimitsAndRADIUSAuthenticators: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FailedCheckInModel.schema).field("recorded_at", .datetime).update()
        try await (database as! any SQLDatabase).raw("""
            CREATE INDEX failed_check_ins_guesses ON failed_check_ins (device_id, recorded_at)
            WHERE reason = 'unknown_credential' AND recorded_at IS NOT NULL
            """).run()
        try await database.schema(DeviceModel.schema)
            .field("require_message_authenticator", .bool, .required, .sql(.default(true)))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "failed_check_ins_guesses").run()
        try await database.schema(FailedCheckInModel.schema).deleteField("recorded_at").update()
        try await database.schema(DeviceModel.schema).deleteField("require_message_authenticator").update()
    }
}
