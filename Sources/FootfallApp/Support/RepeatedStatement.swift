import PostgresKit
import PostgresNIO
import SQLKit

/// A read made on every turn of the writer, with the same text each time, prepared once on
/// each PostgreSQL connection that runs it. A statement sent with its text is parsed and
/// planned again on every run, and for the writer's reads that took PostgreSQL longer than
/// running them; a prepared one is parsed once, and PostgreSQL may keep one plan for it (a
/// generic plan). The values go as arrays (`= ANY($1)`), so that the text does not change with
/// how many there are.
protocol RepeatedStatement: PostgresPreparedStatement where Row == PostgresRow {}

extension RepeatedStatement {
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresDatabase {
    /// Runs the statement on a connection of this database (the writer's own, or one from the
    /// pool), preparing it there the first time, and returns its rows for SQLKit's decoding, as
    /// a query of SQLKit's would.
    ///
    /// If the prepared statement fails, the statement runs again unprepared, and what that says
    /// stands. PostgresNIO keeps a failed preparation (a table a migration renamed for a moment,
    /// a lock timeout, a cancelled query) for the connection's life and answers every later run
    /// with the same error, at once; the unprepared run asks the database again.
    func rows<Statement: RepeatedStatement>(_ statement: Statement) async throws -> [any SQLRow] {
        let logger = logger
        return try await withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [any SQLRow] = []
                do {
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row.sql()) }
                } catch {
                    rows = []
                    let unprepared = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
                    for try await row in try await connection.query(unprepared, logger: logger) { rows.append(row.sql()) }
                }
                return rows
            }
        }.get()
    }
}
