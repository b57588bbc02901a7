import Fluent
import SQLKit

extension Database {
    /// A transaction that takes the write lock when it starts, on a connection of its own.
    ///
    /// SQLite's plain `BEGIN` starts as a reader; if another connection writes before this one
    /// does, the upgrade fails with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE` waits for
    /// the lock up front. PostgreSQL has row locks and needs no such thing, so it gets `BEGIN`.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { connection in try await connection.inWriteTransaction { database, _ in try await body(database) } }
    }

    /// The same on this database, which must be one connection (see `withConnection`).
    func inWriteTransaction<T: Sendable>(_ body: @Sendable (any Database, any SQLDatabase) async throws -> T) async throws -> T {
        let sql = self as! any SQLDatabase
        try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
        do {
            let result = try await body(self, sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }
}
