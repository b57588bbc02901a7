import PostgresKit
import PostgresNIO
import SQLKit

/// A read the writer makes on every turn, with the same text each time, prepared once on
/// PostgreSQL's connection. A statement sent with its text is parsed and planned again on
/// every run, and for the writer's reads that took PostgreSQL longer than running them; a
/// prepared one is parsed once and, after its first few runs, planned once (a generic plan).
/// The values go as arrays (`= ANY($1)`, `unnest`), so that the text does not change with
/// how many there are.
protocol RepeatedStatement: PostgresPreparedStatement where Row == PostgresRow {}

extension RepeatedStatement {
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresDatabase {
    /// Runs the statement on this database's connection, preparing it there the first time,
    /// and returns its rows for SQLKit's decoding, as a query of SQLKit's would.
    func rows(_ statement: some RepeatedStatement) async throws -> [any SQLRow] {
        let logger = logger
        return try await withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [any SQLRow] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row.sql()) }
                return rows
            }
        }.get()
    }
}
