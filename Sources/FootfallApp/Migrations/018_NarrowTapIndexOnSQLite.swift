import Fluent
import SQLKit

/// On SQLite the writer remembers recent taps (`RecentTaps`), so the index on device,
/// credential and time, which the double-tap rule read and every tap wrote a page of at a random
/// place, keeps only door events: the ordering rule reads each customer's latest over all of
/// them. An index on time serves the memory's first read, late uploads and retention's deletes,
/// each new event landing on its last page. PostgreSQL, where several servers write, keeps the
/// index whole. Each step can run again: a start that stopped half-way through finishes it.
struct NarrowTapIndexOnSQLite: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.drop(index: "device_events_taps").ifExists().run()
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS device_events_door_taps ON device_events (device_id, credential_key, at) WHERE \(unsafeRaw: Self.doorEvents)
            """).run()
        try await sql.raw("CREATE INDEX IF NOT EXISTS device_events_at ON device_events (at)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.drop(index: "device_events_at").ifExists().run()
        try await sql.drop(index: "device_events_door_taps").ifExists().run()
        try await database.index("device_events_taps", on: DeviceEventModel.schema, columns: "device_id", "credential_key", "at")
    }

    /// The partial index's condition, which a query must state word for word for SQLite to use it.
    static let doorEvents = "credential_key LIKE 'door:%'"
}
