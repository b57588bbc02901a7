import SQLKit

extension SQLDatabase {
    /// Runs inserts, which touch different rows, grouped by `statements(for:)`: each group is
    /// one statement and one round trip, all but its last insert as data-modifying `WITH` parts,
    /// which PostgreSQL runs to completion whether or not they are read.
    func run(_ statements: [[RowsInsert]]) async throws {
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
    func statements(for inserts: [RowsInsert]) -> [[RowsInsert]] {
        guard dialect.name == "postgresql" else { return inserts.map { [$0] } }
        var statements: [[RowsInsert]] = [], statement: [RowsInsert] = [], parameters = 0
        for insert in inserts {
            let count = insert.rows.reduce(0) { $0 + $1.count }
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

/// `INSERT INTO table (columns) VALUES (…), (…)` with every value a bind: the statement SQLKit's
/// `SQLInsert` writes for rows of `SQLBind`s, written in one pass over the values. The device
/// events' writes go through it, a few dozen values an event: `SQLInsert` wraps each value in
/// an expression of its own and each row in a group, which took about 6 % of the writer's
/// thread in a card run.
struct RowsInsert: SQLExpression {
    let table: String
    let columns: [String]
    var rows: [[any Encodable & Sendable]]

    init(into table: String, columns: [String], rows: [[any Encodable & Sendable]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO ")
        Self.write(identifier: table, to: &serializer)
        serializer.write(" (")
        for (index, column) in columns.enumerated() {
            if index > 0 { serializer.write(", ") }
            Self.write(identifier: column, to: &serializer)
        }
        serializer.write(") VALUES ")
        for (index, row) in rows.enumerated() {
            serializer.write(index > 0 ? ", (" : "(")
            for (index, value) in row.enumerated() {
                if index > 0 { serializer.write(", ") }
                serializer.write(bind: value)
            }
            serializer.write(")")
        }
    }

    /// A table's or column's name, quoted as `SQLIdentifier` quotes it. A name without the
    /// dialect's quote character in it (every name of the schema; the quote is one byte on
    /// SQLite and PostgreSQL) is written between two of them straight away: `SQLIdentifier`
    /// first looks for quotes to double with the standard library's generic `replacing`, which
    /// was 1.3 % of the writer's thread in a card run. Any other name goes through it.
    private static func write(identifier: String, to serializer: inout SQLSerializer) {
        guard let quote = (serializer.dialect.identifierQuote as? SQLRaw)?.sql, quote.utf8.count == 1,
              let byte = quote.utf8.first, !identifier.utf8.contains(byte) else {
            SQLIdentifier(identifier).serialize(to: &serializer)
            return
        }
        serializer.write(quote)
        serializer.write(identifier)
        serializer.write(quote)
    }
}
