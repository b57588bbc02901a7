import Fluent
import SQLKit

/// Webhook subscriptions and their outbox of deliveries.
struct CreateWebhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookModel.schema)
            .id()
            .field("url", .string, .required)
            .field("events", .array(of: .string), .required)
            .field("location_ids", .array(of: .uuid), .required)
            .field("description", .string)
            .field("secret", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(WebhookDeliveryModel.schema)
            .id()
            .field("webhook_id", .uuid, .required)
            .field("message_id", .string, .required)
            .field("type", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("last_response_status", .int)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        // What is due, found without reading what was delivered.
        try await sql.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'").run()
        try await database.index("webhook_deliveries_webhook", on: WebhookDeliveryModel.schema, columns: "webhook_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookDeliveryModel.schema).delete()
        try await database.schema(WebhookModel.schema).delete()
    }
}
