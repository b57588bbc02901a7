import NIOConcurrencyHelpers
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
    /// with the same error, at once; the unprepared run asks the database again. A connection
    /// whose preparation failed runs the statement unprepared from then on (the first failure
    /// of each statement is logged, as a warning). In a transaction the failure has aborted,
    /// the unprepared run can only say so: the first error stands, so that the writer sees a
    /// deadlock or serialisation failure as such and decides the batch again.
    func rows<Statement: RepeatedStatement>(_ statement: Statement) async throws -> [any SQLRow] {
        let logger = logger
        return try await withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [any SQLRow] = []
                do {
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row.sql()) }
                } catch let prepared {
                    rows = []
                    do {
                        let unprepared = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
                        for try await row in try await connection.query(unprepared, logger: logger) { rows.append(row.sql()) }
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25P02" {
                        throw prepared
                    }
                    RepeatedStatementFailures.noteOnce(Statement.name, prepared, logger: logger)
                }
                return rows
            }
        }.get()
    }
}

/// The prepared statements that have failed on some connection, so that each is logged once
/// rather than on every turn that runs it unprepared.
private enum RepeatedStatementFailures {
    private static let logged = NIOLockedValueBox<Set<String>>([])

    static func noteOnce(_ name: String, _ error: any Error, logger: Logger) {
        guard logged.withLockedValue({ $0.insert(name).inserted }) else { return }
        let state = (error as? PSQLError)?.serverInfo?[.sqlState] ?? "none"
        logger.warning("prepared statement \(name) failed (SQLSTATE \(state)) and was run unprepared; a connection that failed to prepare it runs it unprepared from then on")
    }
}
