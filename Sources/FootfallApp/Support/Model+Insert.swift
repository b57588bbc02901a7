import Fluent
import Foundation
import SQLKit

extension Model where IDValue == UUID {
    /// Inserts the model in one statement (`RowsInsert`): what `create(on:)` writes — its id (a new one
    /// if it has none), the fields that were set, the `.create` timestamps — without FluentKit's
    /// query builder around it. In the ledger writer's jobs that builder cost three times the
    /// statement itself (timed in the writer under `scripts/bench admin`'s load: an insert through
    /// `create(on:)` 0.4–0.6 ms of its time, through this about 0.1 ms), and every admin write
    /// waits its turn there. `RowsInsert` rather than SQLKit's `SQLInsert`: it quotes the
    /// columns' names without the standard library's `replacing` (see `QuotedName`).
    /// The model counts as stored afterwards (a later `update(on:)` updates it).
    func insert(on db: any Database) async throws {
        try await [self].insert(on: db)
    }

    /// Its id and `.create` timestamps given, the columns and values it inserts.
    fileprivate func inserted(at now: Date) -> InsertedValues {
        if id == nil { id = UUID() }
        for property in properties {
            if let timestamp = property as? TimestampProperty<Self, DefaultTimestampFormat>, timestamp.trigger != .delete {
                timestamp.touch(date: now)
            }
        }
        let input = InsertedValues()
        self.input(to: input)
        return input
    }

    /// Marks it stored, as `create(on:)` does.
    fileprivate func markStored() {
        for property in properties { (property as? IDProperty<Self, UUID>)?.exists = true }
    }
}

extension Array where Element: Model, Element.IDValue == UUID {
    /// Inserts these models, which set the same fields, in one statement (see `Model.insert(on:)`).
    func insert(on db: any Database) async throws {
        guard !isEmpty else { return }
        let now = Date()
        let rows = map { $0.inserted(at: now) }
        precondition(rows.allSatisfy { $0.columns == rows[0].columns }, "models inserted together set the same fields")
        let insert = RowsInsert(into: Element.schema, columns: rows[0].columns, rows: rows.map(\.values))
        try await (db as! any SQLDatabase).execute(sql: insert) { _ in }
        for model in self { model.markStored() }
    }
}

/// The columns and values a model gives to an insert, as FluentSQL would write them.
private final class InsertedValues: DatabaseInput {
    var columns: [String] = []
    var values: [any SQLExpression] = []

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
        columns.append(key.description)
        switch value {
        case .bind(let encodable) where (encodable as? any OptionalValue)?.isNone ?? false: values.append(SQLLiteral.null)
        case .bind(let encodable): values.append(SQLBind(encodable))
        case .null: values.append(SQLLiteral.null)
        case .default: values.append(SQLLiteral.default)
        case .enumCase(let name): values.append(SQLLiteral.string(name))
        case .custom(let expression as any SQLExpression): values.append(expression)
        case .array, .dictionary, .custom: preconditionFailure("\(key): the ledger's models store no nested or custom values")
        }
    }
}

private protocol OptionalValue { var isNone: Bool { get } }

extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
}
