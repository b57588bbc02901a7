import SQLKit

/// `INSERT INTO table (columns) VALUES (…), (…)`: the statement SQLKit's `SQLInsert` writes,
/// written in one pass over the values, for the models' inserts (`Model.insert(on:)`), with its
/// quoting of names (below). `SQLInsert` wraps each value in an expression of its own and each
/// row in a group. (The device events' rows on SQLite went through it too, until session 29 gave
/// them statements of their own: `BatchRows.sqliteInsert`.)
struct RowsInsert: SQLExpression {
    let table: String
    let columns: [String]
    /// Each row's values (a model's insert has `NULL` and `DEFAULT` among them).
    let rows: [[any SQLExpression]]

    init(into table: String, columns: [String], rows: [[any SQLExpression]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO ")
        QuotedName(table).serialize(to: &serializer)
        serializer.write(" (")
        for (index, column) in columns.enumerated() {
            if index > 0 { serializer.write(", ") }
            QuotedName(column).serialize(to: &serializer)
        }
        serializer.write(") VALUES ")
        for (index, row) in rows.enumerated() {
            serializer.write(index > 0 ? ", (" : "(")
            for (index, item) in row.enumerated() {
                if index > 0 { serializer.write(", ") }
                item.serialize(to: &serializer)
            }
            serializer.write(")")
        }
    }
}

/// A table's or column's name, quoted as `SQLIdentifier` quotes it. A name without the dialect's
/// quote character in it (every name of the schema; the quote is one byte on SQLite and
/// PostgreSQL) is written between two of them straight away: `SQLIdentifier` first looks for
/// quotes to double with the standard library's generic `replacing`, which was 1.3 % of the
/// writer's thread in a card run, and 12 % of it under `scripts/bench admin`'s load (where
/// SQLKit's and FluentKit's statements quote every name they hold). Any other name goes
/// through `SQLIdentifier`.
struct QuotedName: SQLExpression {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    func serialize(to serializer: inout SQLSerializer) {
        guard let quote = (serializer.dialect.identifierQuote as? SQLRaw)?.sql, quote.utf8.count == 1,
              let byte = quote.utf8.first, !name.utf8.contains(byte) else {
            SQLIdentifier(name).serialize(to: &serializer)
            return
        }
        serializer.write(quote)
        serializer.write(name)
        serializer.write(quote)
    }
}
