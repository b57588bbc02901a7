import Fluent

/// The whole number of an unknown card on its failed check-in, so that an admin can assign the
/// card to a customer from the failed check-ins page. Never returned by the API, which shows
/// the last four characters only.
struct AddUnknownCardNumbers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FailedCheckInModel.schema).field("card_number", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FailedCheckInModel.schema).deleteField("card_number").update()
    }
}
