import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit

extension Database {
    /// A transaction that takes the write lock when it starts, on a connection of its own
    /// (see `WriteTransaction.begin`).
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { connection in
            if let sqlite = connection as? any SQLiteDatabase { try await SQLiteWriterSettings.apply(to: sqlite) }
            return try await connection.inWriteTransaction(lazily: false) { database, _ in try await body(database) }
        }
    }

    /// The same on this database, which must be one connection (see `withConnection`); on
    /// SQLite, the caller gives it `SQLiteWriterSettings` first. If `lazily`, on PostgreSQL, it
    /// begins when the body first asks for it (see `WriteTransaction`). It commits at the end if
    /// it has begun, and rolls back if the body throws; a statement the body ran before asking
    /// has committed on its own.
    func inWriteTransaction<T: Sendable>(lazily: Bool, _ body: @Sendable (any Database, WriteTransaction) async throws -> T) async throws -> T {
        let transaction = WriteTransaction(on: self as! any SQLDatabase)
        if !lazily || transaction.sql.dialect.name != "postgresql" { try await transaction.begin() }
        do {
            let result = try await body(self, transaction)
            if transaction.isBegun { try await transaction.sql.raw("COMMIT").run() }
            return result
        } catch {
            // Not on a PostgreSQL connection that has closed, where it would never be answered
            // (see `postgreSQLConnection`); the server ended the transaction with it.
            if transaction.isBegun, await !isClosedPostgreSQLConnection() {
                try? await transaction.sql.raw("ROLLBACK").run()
            }
            throw error
        }
    }
}

extension Database {
    /// The PostgreSQL connection under this database (one connection), to check whether it has
    /// been seen to close (the server ended it, say); nil on SQLite. A statement sent on a closed
    /// connection is never answered: PostgresNIO writes it to the closed channel without a
    /// promise, so its own promise is never failed.
    func postgreSQLConnection() async throws -> PostgresConnection? {
        guard let postgres = self as? any PostgresDatabase else { return nil }
        return try await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
    }

    /// Whether this database is one PostgreSQL connection that has been seen to close.
    func isClosedPostgreSQLConnection() async -> Bool {
        guard let connection = try? await postgreSQLConnection() else { return false }
        return connection.isClosed
    }
}

/// A write transaction on one connection, begun at once or, on PostgreSQL, when first needed.
///
/// A statement alone is atomic, and under READ COMMITTED, the isolation the ledger is written
/// for, each statement in a PostgreSQL transaction reads what was committed when it started, as
/// it would outside one. So work that reads in a few statements and then writes in one needs
/// neither `BEGIN` nor `COMMIT`, two of its round trips: the writer's turns of card taps that
/// only open visits are such work (see `DeviceEventBatch`). Work that takes a transaction's
/// advisory lock (released at the end of the statement outside one), writes in more than one
/// statement, or checks what a write changed before going on calls `begin()` first; what
/// follows runs in the transaction.
final class WriteTransaction: Sendable {
    let sql: any SQLDatabase
    private let begun = NIOLockedValueBox(false)

    fileprivate init(on sql: any SQLDatabase) {
        self.sql = sql
    }

    var isBegun: Bool { begun.withLockedValue { $0 } }

    /// Begins the transaction unless it has begun. SQLite's plain `BEGIN` starts as a reader; if
    /// another connection writes before this one does, the upgrade fails with SQLITE_BUSY instead
    /// of waiting, so SQLite begins `IMMEDIATE`, waiting for the write lock up front.
    func begin() async throws {
        guard !isBegun else { return }
        try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
        begun.withLockedValue { $0 = true }
    }
}

/// Settings SQLite keeps per connection, given to each connection the first time it writes.
///
/// Statement journals (a multi-row insert's undo in case one row fails) go to memory instead of
/// a temporary file, the page cache is 8 MiB instead of 2 MiB, so that the indexes the
/// ledger's writes touch stay in memory (not more: a commit after a B-tree split walks the
/// whole cache, see BENCHMARKS.md, session 20), and commits leave copying the log back to
/// `WALCheckpointer` (the log file, reused from its start, is cut back to 64 MiB when it has
/// grown past that). fluent-sqlite-driver opens connections without a hook for this, so the
/// writer applies them on first use.
enum SQLiteWriterSettings {
    private static let statements = ["PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -8192", "PRAGMA wal_autocheckpoint = 0",
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
