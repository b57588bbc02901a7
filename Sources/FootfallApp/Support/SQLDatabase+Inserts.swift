import SQLKit

extension SQLDatabase {
    /// Runs these inserts, which touch different rows. On PostgreSQL they go in as few
    /// statements as its limit on parameters allows, each one a round trip: all but the last as
    /// data-modifying `WITH` parts, which PostgreSQL runs to completion whether or not they are
    /// read. SQLite, in process, runs them one by one.
    func run(_ inserts: [SQLInsert]) async throws {
        guard dialect.name == "postgresql" else {
            for insert in inserts { try await execute(sql: insert) { _ in } }
            return
        }
        var statement: [SQLInsert] = [], parameters = 0
        for insert in inserts {
            let count = insert.values.reduce(0) { $0 + $1.count }
            if parameters + count > Self.parametersPerStatement, !statement.isEmpty {
                try await run(together: statement)
                statement = []
                parameters = 0
            }
            statement.append(insert)
            parameters += count
        }
        if !statement.isEmpty { try await run(together: statement) }
    }

    /// Well under the 65,535 parameters PostgreSQL's wire protocol allows a statement.
    private static var parametersPerStatement: Int { 30_000 }

    private func run(together inserts: [SQLInsert]) async throws {
        guard let last = inserts.last else { return }
        guard inserts.count > 1 else { return try await execute(sql: last) { _ in } }
        let parts = inserts.dropLast().enumerated().map { index, insert -> SQLQueryString in "w\(literal: index) AS (\(insert))" }
        try await raw("WITH \(SQLList(parts)) \(last)").run()
    }
}
