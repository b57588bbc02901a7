import Fluent
import FootfallCore
import SQLKit

/// Device events and what they need: every reading of each card, the answers given to devices
/// (so a retried event gets the same answer), and the last member-code step each customer used.
struct CreateDeviceEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CardKeyModel.schema)
            .id()
            .field("card_id", .uuid, .required)
            .field("key", .string, .required)
            .unique(on: "key")
            .create()
        try await database.index("card_keys_card", on: CardKeyModel.schema, columns: "card_id")
        try await database.schema(DeviceEventModel.schema)
            .id()
            .field("device_id", .uuid, .required)
            .field("event_id", .string, .required)
            .field("at", .datetime, .required)
            .field("customer_id", .uuid)
            .field("credential_key", .string)
            .field("result", .string, .required)
            .field("answer", .string, .required)
            .unique(on: "device_id", "event_id")
            .create()
        try await database.index("device_events_taps", on: DeviceEventModel.schema, columns: "device_id", "credential_key", "at")
        try await database.schema(CustomerModel.schema).field("member_code_step", .int64).update()
        // Member pages are found by their secret.
        try await (database as! any SQLDatabase).create(index: "customers_member_secret").unique().on(CustomerModel.schema)
            .column("member_secret").run()

        for card in try await CardModel.query(on: database).all() {
            for key in CardNumber(card.normalized, format: .hex)?.matchKeys ?? [] {
                try await CardKeyModel(cardId: card.requireID(), key: key).create(on: database)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CustomerModel.schema).deleteField("member_code_step").update()
        try await database.schema(DeviceEventModel.schema).delete()
        try await database.schema(CardKeyModel.schema).delete()
    }
}
