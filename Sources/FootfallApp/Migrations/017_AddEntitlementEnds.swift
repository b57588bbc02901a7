import Fluent

/// When a visit's entitlement runs out, kept with the visit (see `CheckInModel.entitlementEndsAt`).
struct AddEntitlementEnds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CheckInModel.schema).field("entitlement_ends_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CheckInModel.schema).deleteField("entitlement_ends_at").update()
    }
}
