import Fluent
import SQLKit

/// One server at a time sends to an endpoint (`sending_until`: until when the server sending
/// to it holds it, or when it was let go; `sending_by`: that hold's own id, so a server renews
/// and lets go only a hold still its own), so its deliveries go in order however many servers
/// share the outbox; an
/// endpoint's pending deliveries are found by their own index, which replaces the one over all
/// pending deliveries.
struct AddWebhookSending: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column a statement.
        try await database.schema(WebhookModel.schema).field("sending_until", .datetime).update()
        try await database.schema(WebhookModel.schema).field("sending_by", .uuid).update()
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX webhook_deliveries_due").run()
        try await sql.raw("""
            CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending'
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX webhook_deliveries_pending").run()
        try await sql.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'").run()
        try await database.schema(WebhookModel.schema).deleteField("sending_by").update()
        try await database.schema(WebhookModel.schema).deleteField("sending_until").update()
    }
}
