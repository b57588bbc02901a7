import Fluent

/// Retention takes a visit's pass away with its customer; the seconds such visits used stay on
/// the pass, so its balance does not grow back.
struct AddAnonymisedPassSeconds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PassModel.schema).field("anonymised_seconds", .double).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PassModel.schema).deleteField("anonymised_seconds").update()
    }
}
