@testable import FootfallApp
import Foundation
import SQLKit
import Testing

@Suite("SQLite's write-ahead log starts again from its beginning however long the ledger writes")
struct WriteAheadLogTests {
    /// The ledger's writer leaves copying the log back to the database file to a task beside it
    /// (`WALCheckpointer`); were that task not running, the log would grow with every commit
    /// until the server stopped, and every read would search a longer log.
    @Test(.enabled(if: !TestDatabase.isPostgres, "the log is SQLite's"))
    func theLogIsCopiedBackWhileVisitsAreWritten() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan()
            var customers: [String] = []
            for _ in 0..<10 { customers.append(try await api.customer(planId: plan)) }
            func visit(_ customer: String) async throws {
                let visit = try await api.checkIn(customer, at: location)
                #expect(visit.status == .created, "\(visit.body)")
                #expect(try await api.post("/api/v1/check-ins/\(visit.id)/check-out").status == .ok)
            }
            for _ in 0..<20 {
                for customer in customers { try await visit(customer) }
            }
            // A pause well past the checkpoints' intervals (the suite runs tests side by side),
            // then one more visit: it must find the log copied back and start it again.
            try await Task.sleep(for: WALCheckpointer.writerInterval + WALCheckpointer.interval * 5)
            try await visit(customers[0])
            let rows = try await (api.app.db as! any SQLDatabase).raw("PRAGMA wal_checkpoint(PASSIVE)").all()
            let frames = try #require(rows.first).decode(column: "log", as: Int.self)
            // 200 visits write thousands of pages to the log; one visit, a few dozen.
            #expect(frames < 100, "\(frames) pages in the log after one visit")
        }
    }
}
