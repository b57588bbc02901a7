@testable import FootfallApp
import Fluent
import Foundation
import PostgresKit
import SQLKit
import SQLiteKit
import Testing

/// On PostgreSQL a batch of device events stores its rows through one prepared statement, each
/// column's values as one array (`BatchRowsStatement`, with `NullableArray`); on SQLite through
/// `BatchRows.sqliteInsert`, a bind each value in SQLite's own form. Each statement must store
/// every field of every row where the models read it, NULLs and times between two microseconds
/// included.
@Suite("A batch's rows stored by its own statements")
struct BatchRowsTests {
    /// Rows with every field set, and with every optional field NULL.
    private struct Rows {
        let at = Date(timeIntervalSince1970: 1_764_000_000.123_456_7)
        let visits: [CheckInRow]
        let refused: FailedCheckInModel
        let events: [DeviceEventBatch.StoredEvent]

        init() {
            visits = [
                CheckInRow(id: UUID(), customerId: UUID(), locationId: UUID(), checkedInAt: at, method: "rfid"),
                CheckInRow(id: UUID(), customerId: UUID(), locationId: UUID(), checkedInAt: at.addingTimeInterval(1), checkedOutAt: at.addingTimeInterval(61),
                           method: "rfid", checkOutMethod: "automatic", deviceId: UUID(), admittedPlanId: UUID(), admittedPassId: UUID(),
                           chargedFrom: at.addingTimeInterval(2), chargeRateJSON: #"{"price":150}"#, timeLimitAt: at.addingTimeInterval(3600),
                           entitlementEndsAt: at.addingTimeInterval(5400), closesAt: at.addingTimeInterval(7200)),
            ]
            refused = FailedCheckInModel(at: at, locationId: UUID(), method: .rfid, deviceId: UUID(), customerId: nil, credential: "••••0D0E",
                                         reason: .unknownCredential)
            refused.cardNumber = "0A0B0C0D0E"
            refused.recordedAt = at.addingTimeInterval(0.5)
            events = [
                DeviceEventBatch.StoredEvent(id: UUID(), deviceId: UUID(), eventId: "e1", at: at, customerId: nil, credentialKey: nil,
                                             result: "unknown_credential", answer: #"{"result":"unknown_credential"}"#),
                DeviceEventBatch.StoredEvent(id: UUID(), deviceId: UUID(), eventId: "é 2", at: at.addingTimeInterval(3), customerId: UUID(),
                                             credentialKey: "card:x", result: "checked_in", answer: "{}"),
            ]
        }

        /// The three tables' rows through SQLKit's own insert, a bind each field: the stored form
        /// SQLKit gives each value, which the batch's statements must give too.
        var sqlKitInserts: [SQLInsert] {
            [BatchRowsTests.sqlKitInsert(CheckInModel.schema, BatchRowsTests.visitColumns, visits.map(BatchRowsTests.values)),
             BatchRowsTests.sqlKitInsert(FailedCheckInModel.schema, BatchRowsTests.failureColumns, [BatchRowsTests.values(refused)]),
             BatchRowsTests.sqlKitInsert(DeviceEventModel.schema, BatchRowsTests.eventColumns, events.map(BatchRowsTests.values))]
        }

        /// Every field of every row, as it was made.
        var expected: [[String]] {
            visits.sorted { $0.id.uuidString < $1.id.uuidString }.map(BatchRowsTests.fields) + [BatchRowsTests.fields(refused)]
                + events.sorted { $0.id.uuidString < $1.id.uuidString }.map(BatchRowsTests.fields)
        }

        /// Every row of these ids, each field as the models read it (times to the microsecond);
        /// then the rows are deleted, for the next insert.
        func stored(on db: any Database) async throws -> [[String]] {
            let visitIds = visits.map(\.id), eventIds = events.map(\.id), failedId = try #require(refused.id)
            var rows: [[String]] = try await CheckInModel.query(on: db).filter(\.$id ~~ visitIds).sort(\.$id).all().map(BatchRowsTests.fields)
            rows += try await FailedCheckInModel.query(on: db).filter(\.$id == failedId).all().map(BatchRowsTests.fields)
            rows += try await DeviceEventModel.query(on: db).filter(\.$id ~~ eventIds).sort(\.$id).all().map(BatchRowsTests.fields)
            try await CheckInModel.query(on: db).filter(\.$id ~~ visitIds).delete()
            try await FailedCheckInModel.query(on: db).filter(\.$id == failedId).delete()
            try await DeviceEventModel.query(on: db).filter(\.$id ~~ eventIds).delete()
            return rows
        }
    }

    @Test(.enabled(if: TestDatabase.isPostgres, "the array form is PostgreSQL's"))
    func arraysStoreEveryField() async throws {
        try await withFootfall { api in
            let postgres = api.app.db as! any PostgresDatabase
            let rows = Rows()
            /// The statement, prepared, on a connection of the pool, without `rows(_:)`'s second
            /// try unprepared: a preparation that fails fails here.
            func runPrepared(_ statement: some RepeatedStatement) async throws {
                try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        for try await _ in try await connection.execute(statement, logger: api.app.logger) {}
                    }
                }.get()
            }

            let statement = try #require(BatchRowsValues(visits: rows.visits, failures: [rows.refused], events: rows.events).statement)
            try await runPrepared(statement)
            let throughArrays = try await rows.stored(on: api.app.db)
            #expect(throughArrays.count == 5)
            #expect(Self.toTheMillisecond(throughArrays) == Self.toTheMillisecond(rows.expected))
            // To the microsecond, as SQLKit's binds store the same values.
            for insert in rows.sqlKitInserts { try await (api.app.db as! any SQLDatabase).execute(sql: insert) { _ in } }
            #expect(try await rows.stored(on: api.app.db) == throughArrays)

            // The statements without visits, without failed check-ins, or without either.
            for (visits, failures) in [([], []), (rows.visits, []), ([], [rows.refused])] {
                let statement = try #require(BatchRowsValues(visits: visits, failures: failures, events: rows.events).statement)
                try await runPrepared(statement)
                let stored = try await rows.stored(on: api.app.db)
                #expect(stored.count == visits.count + failures.count + rows.events.count)
                #expect(Set(stored).isSubset(of: Set(throughArrays)))
            }
            #expect(BatchRowsValues(visits: [], failures: [], events: []).statement == nil)
        }
    }

    /// SQLite's inserts bind each field as SQLiteKit's encoder binds it (the same SQLite value:
    /// upper-case UUID text, seconds as a REAL, NULL), and store every field exactly.
    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite's own inserts"))
    func sqliteInsertsStoreEveryField() async throws {
        #expect(BatchRows.visits.map(\.name) == Self.visitColumns)
        #expect(BatchRows.failures.map(\.name) == Self.failureColumns)
        #expect(BatchRows.events.map(\.name) == Self.eventColumns)
        try await withFootfall { api in
            let sql = api.app.db as! any SQLDatabase
            let rows = Rows()
            let inserts = [BatchRows.sqliteInsert(into: CheckInModel.schema, BatchRows.visits, rows.visits),
                           BatchRows.sqliteInsert(into: FailedCheckInModel.schema, BatchRows.failures, [rows.refused]),
                           BatchRows.sqliteInsert(into: DeviceEventModel.schema, BatchRows.events, rows.events)]
            let encoder = SQLiteDataEncoder()
            let values = [rows.visits.flatMap(Self.values), Self.values(rows.refused), rows.events.flatMap(Self.values)]
            for (insert, values) in zip(inserts, values) {
                #expect(try insert.binds == values.map { try encoder.encode($0) })
                try await sql.execute(sql: insert) { _ in }
            }
            let stored = try await rows.stored(on: api.app.db)
            #expect(stored == rows.expected)
            for insert in rows.sqlKitInserts { try await sql.execute(sql: insert) { _ in } }
            #expect(try await rows.stored(on: api.app.db) == stored)
        }
    }

    static let visitColumns = ["id", "customer_id", "location_id", "checked_in_at", "checked_out_at", "method", "check_out_method", "device_id",
                               "admitted_plan_id", "admitted_pass_id", "time_limit_at", "closes_at", "charged_from", "charge_rate",
                               "entitlement_ends_at"]
    static let failureColumns = ["id", "at", "location_id", "method", "device_id", "customer_id", "credential", "reason", "card_number",
                                 "recorded_at"]
    static let eventColumns = ["id", "device_id", "event_id", "at", "customer_id", "credential_key", "result", "answer"]

    /// Each row's fields in its table's columns' order (above).
    static func values(_ v: CheckInRow) -> [any Encodable & Sendable] {
        [v.id, v.customerId, v.locationId, v.checkedInAt, v.checkedOutAt, v.method, v.checkOutMethod, v.deviceId, v.admittedPlanId,
         v.admittedPassId, v.timeLimitAt, v.closesAt, v.chargedFrom, v.chargeRateJSON, v.entitlementEndsAt]
    }

    static func values(_ f: FailedCheckInModel) -> [any Encodable & Sendable] {
        [f.id, f.at, f.locationId, f.method, f.deviceId, f.customerId, f.credential, f.reason, f.cardNumber, f.recordedAt]
    }

    static func values(_ e: DeviceEventBatch.StoredEvent) -> [any Encodable & Sendable] {
        [e.id, e.deviceId, e.eventId, e.at, e.customerId, e.credentialKey, e.result, e.answer]
    }

    static func sqlKitInsert(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) -> SQLInsert {
        var insert = SQLInsert(table: SQLIdentifier(table))
        insert.columns = columns.map { SQLIdentifier($0) }
        insert.values = rows.map { $0.map { SQLBind($0) } }
        return insert
    }

    /// A time as PostgreSQL keeps it, in whole microseconds: `t:` milliseconds `.` microseconds.
    private static func micros(_ date: Date?) -> String {
        guard let date else { return "NULL" }
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return "t:\(micros / 1000).\(micros % 1000)"
    }

    /// The rows with their times to the millisecond: a time a device sends between two
    /// microseconds is kept to one of them (PostgresNIO truncates), so the times the rows were
    /// made with match what was stored to the millisecond (these are all within one).
    private static func toTheMillisecond(_ rows: [[String]]) -> [[String]] {
        rows.map { $0.map { $0.hasPrefix("t:") ? String($0.prefix { $0 != "." }) : $0 } }
    }

    private static func text(_ value: (some CustomStringConvertible)?) -> String { value.map(\.description) ?? "NULL" }

    private static func fields(_ visit: CheckInRow) -> [String] {
        [visit.id.uuidString, visit.customerId.uuidString, visit.locationId.uuidString, micros(visit.checkedInAt), micros(visit.checkedOutAt),
         visit.method, text(visit.checkOutMethod), text(visit.deviceId), text(visit.admittedPlanId), text(visit.admittedPassId),
         micros(visit.chargedFrom), text(visit.chargeRateJSON), micros(visit.timeLimitAt), micros(visit.entitlementEndsAt),
         micros(visit.closesAt)]
    }

    private static func fields(_ visit: CheckInModel) -> [String] { fields(CheckInRow(visit)) }

    private static func fields(_ failed: FailedCheckInModel) -> [String] {
        [text(failed.id), micros(failed.at), failed.locationId.uuidString, failed.method, text(failed.deviceId), text(failed.customerId),
         text(failed.credential), failed.reason, text(failed.cardNumber), micros(failed.recordedAt)]
    }

    private static func fields(_ event: DeviceEventBatch.StoredEvent) -> [String] {
        [event.id.uuidString, event.deviceId.uuidString, event.eventId, micros(event.at), text(event.customerId), text(event.credentialKey),
         event.result, event.answer]
    }

    private static func fields(_ event: DeviceEventModel) -> [String] {
        fields(DeviceEventBatch.StoredEvent(id: event.id!, deviceId: event.deviceId, eventId: event.eventId, at: event.at,
                                            customerId: event.customerId, credentialKey: event.credentialKey, result: event.result,
                                            answer: event.answer))
    }
}
