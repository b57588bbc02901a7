import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit

extension Database {
    /// A transaction that takes the write lock when it starts, on a connection of its own.
    ///
    /// SQLite's plain `BEGIN` starts as a reader; if another connection writes before this one
    /// does, the upgrade fails with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE` waits for
    /// the lock up front. PostgreSQL has row locks and needs no such thing, so it gets `BEGIN`.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { connection in
            if let sqlite = connection as? any SQLiteDatabase { try await SQLiteWriterSettings.apply(to: sqlite) }
            return try await connection.inWriteTransaction { database, _ in try await body(database) }
        }
    }

    /// The same on this database, which must be one connection (see `withConnection`); on
    /// SQLite, the caller gives it `SQLiteWriterSettings` first.
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

/// Settings SQLite keeps per connection, given to each connection the first time it writes.
///
/// Statement journals (a multi-row insert's undo in case one row fails) go to memory instead of
/// a temporary file, the page cache is 32 MiB instead of 2 MiB, so that the indexes the
/// ledger's writes touch stay in memory, and commits leave copying the log back to
/// `WALCheckpointer` (the log file, reused from its start, is cut back to 64 MiB when it has
/// grown past that). fluent-sqlite-driver opens connections without a hook for this, so the
/// writer applies them on first use.
enum SQLiteWriterSettings {
    private static let statements = ["PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -32768", "PRAGMA wal_autocheckpoint = 0",
                                     "PRAGMA journal_size_limit = 67108864"]
    private static let configured = NIOLockedValueBox<[ObjectIdentifier: WeakConnection]>([:])

    private struct WeakConnection {
        weak var connection: SQLiteConnection?
    }

    static func apply(to database: any SQLiteDatabase) async throws {
        try await database.withConnection { connection in
            let id = ObjectIdentifier(connection)
            let first = configured.withLockedValue { configured in
                guard configured[id]?.connection !== connection else { return false }
                configured = configured.filter { $0.value.connection != nil }
                configured[id] = WeakConnection(connection: connection)
                return true
            }
            guard first else { return }
            for statement in statements { try await connection.query(statement, []) { _ in } }
        }
    }
}
