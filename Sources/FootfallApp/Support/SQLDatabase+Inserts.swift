import SQLKit

extension SQLDatabase {
    /// Runs these inserts, which touch different rows. On PostgreSQL they go in as few
    /// statements as its limit on parameters allows, each one a round trip: all but the last as
    /// data-modifying `WITH` parts, which PostgreSQL runs to completion whether or not they are
    /// read. SQLite, in process, runs them one by one.
    func run(_ inserts: [SQLInsert]) async throws {
        for statement in statements(for: inserts) {
            guard let last = statement.last else { continue }
            guard statement.count > 1 else {
                try await execute(sql: last) { _ in }
                continue
            }
            let parts = statement.dropLast().enumerated().map { index, insert -> SQLQueryString in "w\(literal: index) AS (\(insert))" }
            try await raw("WITH \(SQLList(parts)) \(last)").run()
        }
    }

    /// How `run(_:)` groups these inserts into statements.
    func statements(for inserts: [SQLInsert]) -> [[SQLInsert]] {
        guard dialect.name == "postgresql" else { return inserts.map { [$0] } }
        var statements: [[SQLInsert]] = [], statement: [SQLInsert] = [], parameters = 0
        for insert in inserts {
            let count = insert.values.reduce(0) { $0 + $1.count }
            if parameters + count > Self.parametersPerStatement, !statement.isEmpty {
                statements.append(statement)
                statement = []
                parameters = 0
            }
            statement.append(insert)
            parameters += count
        }
        if !statement.isEmpty { statements.append(statement) }
        return statements
    }

    /// Well under the 65,535 parameters PostgreSQL's wire protocol allows a statement.
    private static var parametersPerStatement: Int { 30_000 }
}
