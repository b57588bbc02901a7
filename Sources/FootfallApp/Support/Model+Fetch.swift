import Fluent
import FluentSQL
import Foundation
import SQLKit

extension Model where IDValue == UUID {
    /// The stored model with this id, or nil: what `find(_:on:)` reads, in a statement of a few
    /// words (`SELECT * FROM "customers" WHERE id = ?`) whose row FluentSQL decodes as it decodes
    /// its own. FluentKit's `find` names every column, qualified and aliased (`"customers"."name"
    /// AS "customers_name"`), and SQLKit quotes each of those names with the standard library's
    /// generic `replacing`: for a customer, about a fifth of the handler's CPU in an admin write
    /// that looks one up (`scripts/bench admin`, by `perf`). The API's lookups by path go through this.
    /// For the ledger's models: their id column is `id`, and none is soft-deleted (`find` would
    /// leave out a row with a deletion time; this does not look).
    static func fetch(_ id: UUID, on db: any Database) async throws -> Self? {
        try await (db as! any SQLDatabase).raw("SELECT * FROM \(QuotedName(schema)) WHERE id = \(bind: id)").first()?
            .decode(fluentModel: Self.self)
    }
}
