import PostgresNIO
import SQLKit
import SQLiteNIO

/// The rows a batch of device events inserts: its new visits, failed check-ins and device
/// events. Each table's columns are listed once, each with how to read its value from a row,
/// for both databases' statements.
enum BatchRows {
    static let visits: [InsertedColumn<CheckInRow>] = [
        .init("id") { $0.id }, .init("customer_id") { $0.customerId }, .init("location_id") { $0.locationId },
        .init("checked_in_at") { $0.checkedInAt }, .init("checked_out_at") { $0.checkedOutAt }, .init("method") { $0.method },
        .init("check_out_method") { $0.checkOutMethod }, .init("device_id") { $0.deviceId },
        .init("admitted_plan_id") { $0.admittedPlanId }, .init("admitted_pass_id") { $0.admittedPassId },
        .init("time_limit_at") { $0.timeLimitAt }, .init("closes_at") { $0.closesAt }, .init("charged_from") { $0.chargedFrom },
        .init("charge_rate") { $0.chargeRateJSON }, .init("entitlement_ends_at") { $0.entitlementEndsAt },
    ]
    static let failures: [InsertedColumn<FailedCheckInModel>] = [
        .init("id") { $0.id }, .init("at") { $0.at }, .init("location_id") { $0.locationId }, .init("method") { $0.method },
        .init("device_id") { $0.deviceId }, .init("customer_id") { $0.customerId }, .init("credential") { $0.credential },
        .init("reason") { $0.reason }, .init("card_number") { $0.cardNumber }, .init("recorded_at") { $0.recordedAt },
    ]
    static let events: [InsertedColumn<DeviceEventBatch.StoredEvent>] = [
        .init("id") { $0.id }, .init("device_id") { $0.deviceId }, .init("event_id") { $0.eventId }, .init("at") { $0.at },
        .init("customer_id") { $0.customerId }, .init("credential_key") { $0.credentialKey }, .init("result") { $0.result },
        .init("answer") { $0.answer },
    ]

    /// SQLite's insert of these rows into `table`: `INSERT … VALUES`, a bind each value, each
    /// already in SQLite's own form. As `RowsInsert` of binds, each value went as `any
    /// Encodable` through SQLKit's serializer and was cast back to SQLite's form one by one:
    /// about 6 % of the writer's thread under card load (`perf`, BENCHMARKS.md, "Session 29").
    static func sqliteInsert<Row>(into table: String, _ columns: [InsertedColumn<Row>], _ rows: some Collection<Row>) -> SQLiteRowsInsert {
        precondition(!rows.isEmpty && !table.utf8.contains(UInt8(ascii: "\"")))
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let sql = "INSERT INTO \"\(table)\" (\(columns.map { "\"\($0.name)\"" }.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows.count).joined(separator: ", ")
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * columns.count)
        for row in rows {
            for column in columns { binds.append(column.sqliteValue(row)) }
        }
        return SQLiteRowsInsert(sql: sql, binds: binds)
    }
}

/// A statement's text with its binds in SQLite's own form, run through SQLKit as any statement is
/// (on the writer's connection, SQLKit's `execute` reaches SQLiteNIO's `async` query, which
/// resumes on the writer's thread; SQLiteNIO's own `query` on Fluent's database answers through
/// an event loop). SQLiteKit passes each bind on as it is (`SQLiteData: SQLiteDataConvertible`).
struct SQLiteRowsInsert: SQLExpression {
    let sql: String
    let binds: [SQLiteData]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds.append(contentsOf: binds.lazy.map { $0 as any Encodable & Sendable })
    }
}

/// A column a batch inserts into, and its value in a row: as a bind of its own (SQLite), or
/// with every row's value in one array parameter (PostgreSQL).
struct InsertedColumn<Row>: Sendable {
    let name: String
    let arrayType: PostgresDataType
    let sqliteValue: @Sendable (Row) -> SQLiteData
    let appendArray: @Sendable ([Row], inout PostgresBindings) throws -> Void

    init<Value: PostgresArrayEncodable & SQLiteDataConvertible & Sendable>(_ name: String, _ read: @escaping @Sendable (Row) -> Value?) {
        precondition(!name.utf8.contains(UInt8(ascii: "\"")), "written between quotes as it is")
        self.name = name
        arrayType = Value.psqlArrayType
        sqliteValue = { read($0).sqliteData ?? .null }
        appendArray = { rows, bindings in try bindings.append(NullableArray(rows.map(read))) }
    }
}

/// A batch's rows on PostgreSQL, all of them in one prepared statement: each column's values go
/// as one array, unnested into rows, so that the statement's text does not change with how
/// many rows there are and PostgreSQL parses and plans it once on each connection. Sent as
/// text, with a bind each value, the batch's insert was parsed and planned again on every turn,
/// which took PostgreSQL about as long as running it.
///
/// Visits and failed check-ins have a part in the statement only when there are some: an insert
/// of no rows still opens the table and its indexes. Device events always have a part (every
/// event a batch decides is stored), so there are four statements.
protocol BatchRowsStatement: RepeatedStatement {
    var rows: BatchRowsValues { get }
}

extension BatchRowsStatement {
    func makeBindings() throws -> PostgresBindings { try rows.bindings() }
}

/// The values of a batch's rows, bound as arrays in the order its statement's text takes them.
struct BatchRowsValues: Sendable {
    var visits: [CheckInRow]
    var failures: [FailedCheckInModel]
    var events: [DeviceEventBatch.StoredEvent]

    /// The statement that inserts these rows, or nil if there are none.
    var statement: (any BatchRowsStatement)? {
        guard !(events.isEmpty && visits.isEmpty && failures.isEmpty) else { return nil }
        switch (visits.isEmpty, failures.isEmpty) {
        case (true, true): return BatchEventsAlone(rows: self)
        case (false, true): return BatchWithVisits(rows: self)
        case (true, false): return BatchWithFailures(rows: self)
        case (false, false): return BatchWithVisitsAndFailures(rows: self)
        }
    }

    /// `WITH visits AS (INSERT …), failures AS (INSERT …) INSERT INTO device_events …`, with the
    /// parts of the tables named.
    static func sql(visits: Bool, failures: Bool) -> String {
        var parts: [String] = [], first = 1
        if visits {
            parts.append("visits AS (\(insert(into: "check_ins", BatchRows.visits, from: first)))")
            first += BatchRows.visits.count
        }
        if failures {
            parts.append("failures AS (\(insert(into: "failed_check_ins", BatchRows.failures, from: first)))")
            first += BatchRows.failures.count
        }
        let events = insert(into: "device_events", BatchRows.events, from: first)
        return parts.isEmpty ? events : "WITH \(parts.joined(separator: ", ")) \(events)"
    }

    static func types(visits: Bool, failures: Bool) -> [PostgresDataType] {
        (visits ? BatchRows.visits.map(\.arrayType) : []) + (failures ? BatchRows.failures.map(\.arrayType) : [])
            + BatchRows.events.map(\.arrayType)
    }

    /// `INSERT INTO table (columns) SELECT unnest($first), …`, an array parameter a column,
    /// unnested side by side in the select list.
    private static func insert<Row>(into table: String, _ columns: [InsertedColumn<Row>], from first: Int) -> String {
        let names = columns.map(\.name).joined(separator: ", ")
        let arrays = columns.indices.map { "unnest($\(first + $0))" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(names)) SELECT \(arrays)"
    }

    func bindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for column in BatchRows.visits where !visits.isEmpty { try column.appendArray(visits, &bindings) }
        for column in BatchRows.failures where !failures.isEmpty { try column.appendArray(failures, &bindings) }
        for column in BatchRows.events { try column.appendArray(events, &bindings) }
        return bindings
    }
}

struct BatchEventsAlone: BatchRowsStatement {
    static let name = "footfall_batch_events"
    static let sql = BatchRowsValues.sql(visits: false, failures: false)
    static let bindingDataTypes = BatchRowsValues.types(visits: false, failures: false)
    let rows: BatchRowsValues
}

struct BatchWithVisits: BatchRowsStatement {
    static let name = "footfall_batch_visits_events"
    static let sql = BatchRowsValues.sql(visits: true, failures: false)
    static let bindingDataTypes = BatchRowsValues.types(visits: true, failures: false)
    let rows: BatchRowsValues
}

struct BatchWithFailures: BatchRowsStatement {
    static let name = "footfall_batch_failures_events"
    static let sql = BatchRowsValues.sql(visits: false, failures: true)
    static let bindingDataTypes = BatchRowsValues.types(visits: false, failures: true)
    let rows: BatchRowsValues
}

struct BatchWithVisitsAndFailures: BatchRowsStatement {
    static let name = "footfall_batch_visits_failures_events"
    static let sql = BatchRowsValues.sql(visits: true, failures: true)
    static let bindingDataTypes = BatchRowsValues.types(visits: true, failures: true)
    let rows: BatchRowsValues
}
