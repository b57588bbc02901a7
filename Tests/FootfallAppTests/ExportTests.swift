@testable import FootfallApp
import FootfallCore
import Foundation
import SQLKit
import Testing
import VaporTesting

@Suite("CSV exports of check-ins and failed check-ins")
struct ExportTests {
    /// More rows than one page, in order, each once; the range and the location narrow it.
    @Test func everyVisitOfTheRangeOnceInOrderAcrossPages() async throws {
        try await withFootfall { api in
            let main = try await api.location(["name": "Main"])
            let annex = try await api.location(["name": "Annex"])
            let customer = try await api.customer(planId: try await api.plan(), ["name": "=cmd|' /C calc'!A0"])
            // 2,500 closed visits at Main, one a minute from 2026-11-01, and one at the Annex.
            let start = at("2026-11-01T00:00:00Z")
            let rows: [[any SQLExpression]] = (0..<2500).map { index in
                let checkedIn = start + Double(index * 60)
                return [SQLBind(UUID()), SQLBind(UUID(uuidString: customer)!), SQLBind(UUID(uuidString: main)!), SQLBind(checkedIn),
                        SQLBind(checkedIn + 30), SQLBind("admin"), SQLBind("admin")]
            }
            for chunk in stride(from: 0, to: rows.count, by: 500) {
                try await (api.app.db as! any SQLDatabase).insert(into: "check_ins")
                    .columns("id", "customer_id", "location_id", "checked_in_at", "checked_out_at", "method", "check_out_method")
                    .rows(Array(rows[chunk..<min(chunk + 500, rows.count)])).run()
            }
            _ = try await api.checkIn(customer, at: annex, time: "2026-11-26T08:00:00Z")
            // 1,500 more visits at the Annex that began at one and the same moment, finer than a
            // microsecond: pages must neither skip nor repeat rows that share a time.
            let same = at("2026-11-20T09:00:00Z") + 0.123_456_789
            let shared: [[any SQLExpression]] = (0..<1500).map { _ in
                [SQLBind(UUID()), SQLBind(UUID(uuidString: customer)!), SQLBind(UUID(uuidString: annex)!), SQLBind(same), SQLBind(same + 60),
                 SQLBind("rfid"), SQLBind("rfid")]
            }
            for chunk in stride(from: 0, to: shared.count, by: 500) {
                try await (api.app.db as! any SQLDatabase).insert(into: "check_ins")
                    .columns("id", "customer_id", "location_id", "checked_in_at", "checked_out_at", "method", "check_out_method")
                    .rows(Array(shared[chunk..<min(chunk + 500, shared.count)])).run()
            }

            let all = try await api.get("/api/v1/exports/check-ins")
            #expect(all.status == .ok)
            #expect(all.contentType?.hasPrefix("text/csv") == true)
            let lines = all.body.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "id,customerId,customerName,locationId,locationName,checkedInAt,checkedOutAt,minutes,method,checkOutMethod,deviceId,admittedByPlan,admittedByPass")
            #expect(lines.count == 1 + 4001)
            // Annex first (locations by name, then time), then Main's visits in time order, each once.
            #expect(lines[1501].contains(",Annex,2026-11-26T08:00:00Z,,"))
            let mainTimes = lines.dropFirst(1502).map { $0.split(separator: ",", omittingEmptySubsequences: false)[5] }
            #expect(mainTimes == (0..<2500).map { Substring(RFC3339.format(start + Double($0 * 60))) })
            #expect(Set(lines.dropFirst().map { $0.prefix(36) }).count == 4001)
            // The customer's name cannot become a formula in a spreadsheet.
            #expect(lines[1].contains(",'=cmd|' /C calc'!A0,"), "\(lines[1])")

            let narrowed = try await api.get("/api/v1/exports/check-ins?from=2026-11-01T10:00:00Z&to=2026-11-01T11:00:00Z&locationId=\(main)")
            #expect(narrowed.body.split(separator: "\r\n").count == 1 + 60)
            #expect(try await api.get("/api/v1/exports/check-ins?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z").status == .badRequest)
        }
    }

    @Test func failedCheckInsGoOutWithTheirReasons() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let stranger = try await api.customer(["name": "+SUM(1)"])
            for _ in 0..<3 { #expect(try await api.checkIn(stranger, at: location).status == .unprocessableEntity) }
            let csv = try await api.get("/api/v1/exports/failed-check-ins?locationId=\(location)").body
            let lines = csv.split(separator: "\r\n")
            #expect(lines.count == 4)
            #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",no_valid_pass") && $0.contains(",'+SUM(1),") })
            #expect(try await api.request(.GET, "/api/v1/exports/failed-check-ins", headers: [:]).status == .unauthorized)
        }
    }
}
