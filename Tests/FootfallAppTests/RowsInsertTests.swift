@testable import FootfallApp
import Foundation
import SQLKit
import Testing

/// The models' inserts are written by `RowsInsert`, not SQLKit's `SQLInsert`:
/// on the database the suite runs on (SQLite, or PostgreSQL with `FOOTFALL_TEST_DATABASE_URL`),
/// the statement must be the one `SQLInsert` writes, character for character, with the same
/// binds.
@Suite("Multi-row inserts written in one pass")
struct RowsInsertTests {
    @Test(arguments: [
        ("check_ins", ["id", "customer_id", "checked_in_at", "checked_out_at"]),
        // A name with the quote character in it is quoted as SQLKit quotes it (doubled); other
        // names, empty or not ASCII, between two quotes.
        ("odd \"table\"", ["plain", "with \"quotes\"", "with `backticks`"]),
        ("zoë", ["", "é\u{301}\"", "日本"]),
    ])
    func statementIsSQLInsertsOwn(table: String, columns: [String]) async throws {
        try await withFootfall { api in
            let sql = api.app.db as! any SQLDatabase
            let values: [[any Encodable & Sendable]] = (0..<3).map { row in
                [UUID(), "text \(row)", Date(timeIntervalSince1970: Double(row)), row == 1 ? nil : Int?(row)]
            }.map { Array($0.prefix(columns.count)) }
            let rows: [[any SQLExpression]] = values.map { $0.map { SQLBind($0) } }
            var ours = SQLSerializer(database: sql)
            RowsInsert(into: table, columns: columns, rows: rows).serialize(to: &ours)
            var insert = SQLInsert(table: SQLIdentifier(table))
            insert.columns = columns.map { SQLIdentifier($0) }
            insert.values = rows
            var theirs = SQLSerializer(database: sql)
            insert.serialize(to: &theirs)
            #expect(ours.sql == theirs.sql)
            #expect(ours.binds.map { "\($0)" } == theirs.binds.map { "\($0)" })
            #expect(ours.binds.count == rows.count * columns.count)
        }
    }

    /// A model's insert (`Model.insert(on:)`) gives `RowsInsert` expressions: binds, `NULL` and
    /// `DEFAULT`, written as `SQLInsert` writes the same values.
    @Test func aModelsRowsAreWrittenAsSQLInsertWritesThem() async throws {
        try await withFootfall { api in
            let sql = api.app.db as! any SQLDatabase
            let columns = ["id", "name", "closed_at", "kind"]
            let rows: [[any SQLExpression]] = (0..<2).map { row in
                [SQLBind(UUID()), SQLBind("name \(row)"), SQLLiteral.null, row == 0 ? SQLLiteral.default : SQLLiteral.string("member")]
            }
            var ours = SQLSerializer(database: sql)
            RowsInsert(into: "customers", columns: columns, rows: rows).serialize(to: &ours)
            var insert = SQLInsert(table: SQLIdentifier("customers"))
            insert.columns = columns.map { SQLIdentifier($0) }
            insert.values = rows
            var theirs = SQLSerializer(database: sql)
            insert.serialize(to: &theirs)
            #expect(ours.sql == theirs.sql)
            #expect(ours.binds.map { "\($0)" } == theirs.binds.map { "\($0)" })
            #expect(ours.binds.count == 4)
        }
    }
}
