import SQLKit

extension SQLDatabase {
    /// Runs inserts, which touch different rows, grouped by `statements(for:)`: each group is
    /// one statement and one round trip, all but its last insert as data-modifying `WITH` parts,
    /// which PostgreSQL runs to completion whether or not they are read.
    func run(_ statements: [[SQLInsert]]) async throws {
        for statement in statements {
            guard let last = statement.last else { continue }
            guard statement.count > 1 else {
                try await execute(sql: last) { _ in }
                continue
            }
            let parts = statement.dropLast().enumerated().map { index, insert -> SQLQueryString in "w\(literal: index) AS (\(insert))" }
            try await raw("WITH \(SQLList(parts)) \(last)").run()
        }
    }

    /// These inserts grouped into statements: on PostgreSQL as few as its limit on parameters
    /// allows; on SQLite, in process, one each.
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
