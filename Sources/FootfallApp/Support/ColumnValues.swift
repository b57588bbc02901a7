import PostgresNIO
import SQLKit

/// A result row read by column name, so that the writer reads the rows of its prepared
/// statements (PostgresNIO's) and of SQLite's queries (SQLKit's) with one piece of code. On
/// PostgreSQL each value is decoded by its type's own `PostgresDecodable` conformance; SQLKit's
/// rows go through `PostgresDataTranslation`, which looks the type's conformances up at run
/// time for every value: 12 % of the writer's thread under card load, for the card holders'
/// 22 columns a row. (PostgresKit's rows also read a column of a type of the database's own,
/// such as an enum, as text; these do not, and the writer's statements select none.)
protocol ColumnValues {
    func value<Value: PostgresDecodable & Decodable>(_ column: String, as type: Value.Type) throws -> Value
}

/// A column the statement does not select.
struct MissingColumn: Error {
    var name: String
}

extension PostgresRandomAccessRow: ColumnValues {
    func value<Value: PostgresDecodable & Decodable>(_ column: String, as type: Value.Type) throws -> Value {
        guard contains(column) else { throw MissingColumn(name: column) }
        return try self[column].decode(Value.self)
    }
}

/// SQLKit's row, read as `ColumnValues`.
struct SQLColumns: ColumnValues {
    let row: any SQLRow

    func value<Value: PostgresDecodable & Decodable>(_ column: String, as type: Value.Type) throws -> Value {
        try row.decode(column: column, as: Value.self)
    }
}
