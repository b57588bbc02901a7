@testable import FootfallApp
import Fluent
import Foundation
import PostgresKit
import SQLKit
import Testing

/// On PostgreSQL a batch of device events stores its rows through one prepared statement, each
/// column's values as one array (`BatchRowsStatement`, with `NullableArray`); on SQLite through
/// `RowsInsert`, a bind each value. Each of the four statements must store every field of every
/// row where the models read it, NULLs and times between two microseconds included, and the
/// same rows as the binds do.
@Suite("A batch's rows stored through arrays")
struct BatchRowsTests {
    @Test(.enabled(if: TestDatabase.isPostgres, "the array form is PostgreSQL's"))
    func arraysStoreEveryFieldAsABindEachValueDoes() async throws {
        try await withFootfall { api in
            let sql = api.app.db as! any SQLDatabase
            let postgres = api.app.db as! any PostgresDatabase
            let at = Date(timeIntervalSince1970: 1_764_000_000.123_456_7)
            let visits = [
                CheckInRow(id: UUID(), customerId: UUID(), locationId: UUID(), checkedInAt: at, method: "rfid"),
                CheckInRow(id: UUID(), customerId: UUID(), locationId: UUID(), checkedInAt: at.addingTimeInterval(1), checkedOutAt: at.addingTimeInterval(61),
                           method: "rfid", checkOutMethod: "automatic", deviceId: UUID(), admittedPlanId: UUID(), admittedPassId: UUID(),
                           chargedFrom: at.addingTimeInterval(2), chargeRateJSON: #"{"price":150}"#, timeLimitAt: at.addingTimeInterval(3600),
                           entitlementEndsAt: at.addingTimeInterval(5400), closesAt: at.addingTimeInterval(7200)),
            ]
            let refused = FailedCheckInModel(at: at, locationId: UUID(), method: .rfid, deviceId: UUID(), customerId: nil, credential: "••••0D0E",
                                             reason: .unknownCredential)
            refused.cardNumber = "0A0B0C0D0E"
            refused.recordedAt = at.addingTimeInterval(0.5)
            let events = [
                DeviceEventBatch.StoredEvent(id: UUID(), deviceId: UUID(), eventId: "e1", at: at, customerId: nil, credentialKey: nil,
                                             result: "unknown_credential", answer: #"{"result":"unknown_credential"}"#),
                DeviceEventBatch.StoredEvent(id: UUID(), deviceId: UUID(), eventId: "é 2", at: at.addingTimeInterval(3), customerId: UUID(),
                                             credentialKey: "card:x", result: "checked_in", answer: "{}"),
            ]

            /// Every row of these ids, each field as the models read it (times to the microsecond,
            /// as PostgreSQL keeps them); then the rows are deleted, for the next insert.
            func stored() async throws -> [[String]] {
                let db = api.app.db
                let visitIds = visits.map(\.id), eventIds = events.map(\.id), failedId = try #require(refused.id)
                var rows: [[String]] = try await CheckInModel.query(on: db).filter(\.$id ~~ visitIds).sort(\.$id).all().map(Self.fields)
                rows += try await FailedCheckInModel.query(on: db).filter(\.$id == failedId).all().map(Self.fields)
                rows += try await DeviceEventModel.query(on: db).filter(\.$id ~~ eventIds).sort(\.$id).all().map(Self.fields)
                try await CheckInModel.query(on: db).filter(\.$id ~~ visitIds).delete()
                try await FailedCheckInModel.query(on: db).filter(\.$id == failedId).delete()
                try await DeviceEventModel.query(on: db).filter(\.$id ~~ eventIds).delete()
                return rows
            }
            /// The statement, prepared, on a connection of the pool, without `rows(_:)`'s second
            /// try unprepared: a preparation that fails fails here.
            func runPrepared(_ statement: some RepeatedStatement) async throws {
                try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        for try await _ in try await connection.execute(statement, logger: api.app.logger) {}
                    }
                }.get()
            }
            let expected = visits.sorted { $0.id.uuidString < $1.id.uuidString }.map(Self.fields) + [Self.fields(refused)]
                + events.sorted { $0.id.uuidString < $1.id.uuidString }.map(Self.fields)

            let statement = try #require(BatchRowsValues(visits: visits, failures: [refused], events: events).statement)
            try await runPrepared(statement)
            let throughArrays = try await stored()
            #expect(throughArrays.count == 5)
            #expect(Self.toTheMillisecond(throughArrays) == Self.toTheMillisecond(expected))

            for insert in [BatchRows.insert(into: CheckInModel.schema, BatchRows.visits, visits),
                           BatchRows.insert(into: FailedCheckInModel.schema, BatchRows.failures, [refused]),
                           BatchRows.insert(into: DeviceEventModel.schema, BatchRows.events, events)] {
                try await sql.execute(sql: insert) { _ in }
            }
            #expect(try await stored() == throughArrays)

            // The statements without visits, without failed check-ins, or without either.
            for (visits, failures) in [([], []), (visits, []), ([], [refused])] {
                let statement = try #require(BatchRowsValues(visits: visits, failures: failures, events: events).statement)
                try await runPrepared(statement)
                let rows = try await stored()
                #expect(rows.count == visits.count + failures.count + events.count)
                #expect(Set(rows).isSubset(of: Set(throughArrays)))
            }
            #expect(BatchRowsValues(visits: [], failures: [], events: []).statement == nil)
        }
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
