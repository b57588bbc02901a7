import SQLKit

/// `INSERT INTO table (columns) VALUES (…), (…)` with every value a bind: the statement SQLKit's
/// `SQLInsert` writes for rows of `SQLBind`s, written in one pass over the values. The device
/// events' writes on SQLite go through it, a few dozen values an event: `SQLInsert` wraps each
/// value in an expression of its own and each row in a group, which took about 6 % of the
/// writer's thread in a card run.
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
