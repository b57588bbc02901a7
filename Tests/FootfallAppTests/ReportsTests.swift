@testable import FootfallApp
import Fluent
import FootfallCore
import Foundation
import Testing
import VaporTesting

extension API {
    /// A visit written straight into the ledger's table, as history: reports read what is there.
    func storeVisit(_ customer: String, at location: String, _ checkedIn: String, _ checkedOut: String?,
                    plan: String? = nil, pass: String? = nil) async throws {
        let visit = CheckInModel()
        visit.customerId = UUID(uuidString: customer)!
        visit.locationId = UUID(uuidString: location)!
        visit.checkedInAt = FootfallAppTests.at(checkedIn)
        visit.checkedOutAt = checkedOut.map { FootfallAppTests.at($0) }
        visit.method = CheckInMethod.admin.rawValue
        visit.checkOutMethod = checkedOut == nil ? nil : CheckInMethod.admin.rawValue
        visit.admittedPlanId = plan.flatMap(UUID.init(uuidString:))
        visit.admittedPassId = pass.flatMap(UUID.init(uuidString:))
        try await visit.create(on: app.db)
    }
}

/// Rows as `key: visits/minutes/uniqueCustomers`, to compare with hand-computed figures.
private func rows(_ reply: Reply) -> [String: String] {
    Dictionary(uniqueKeysWithValues: reply.items.map { item in
        ("\(item["label"] as? String ?? "?")", "\(item["visits"] as? Int ?? -1)/\(item["minutes"] as? Int ?? -1)/\(item["uniqueCustomers"] as? Int ?? -1)")
    })
}

@Suite("Presence and occupancy reports against hand-computed figures")
struct ReportsTests {
    /// Berlin (UTC+1 in November) with a 03:00 cut-off; now is 2026-11-27 10:00Z.
    ///   Ada (plan Flex): 25th 23:00Z–26th 01:00Z (half before the range: 60 min inside, on day 25),
    ///     26th 09:00–11:00Z (120), 26th 22:30Z–27th 01:30Z (180, across midnight, before the cut-off).
    ///   Grace (day pass): 27th 01:30–02:30Z (60, across the 02:00Z cut-off: 30 on day 26, 30 on 27),
    ///     27th 09:00Z, still in (60 up to now).
    ///   Someone at another location, which a location filter leaves out.
    func fixture(_ api: API) async throws -> (location: String, other: String) {
        let location = try await api.location(["cutoffTime": "03:00"])
        let other = try await api.location(["name": "Elsewhere"])
        let flex = try await api.plan(["name": "Flex"])
        let ada = try await api.customer(planId: flex, ["name": "Ada Lovelace"])
        let grace = try await api.customer(["name": "Grace Hopper"])
        let pass = try await api.pass(grace, ["kind": "day"])
        try await api.storeVisit(ada, at: location, "2026-11-25T23:00:00Z", "2026-11-26T01:00:00Z", plan: flex)
        try await api.storeVisit(ada, at: location, "2026-11-26T09:00:00Z", "2026-11-26T11:00:00Z", plan: flex)
        try await api.storeVisit(ada, at: location, "2026-11-26T22:30:00Z", "2026-11-27T01:30:00Z", plan: flex)
        try await api.storeVisit(grace, at: location, "2026-11-27T01:30:00Z", "2026-11-27T02:30:00Z", pass: pass)
        try await api.storeVisit(grace, at: location, "2026-11-27T09:00:00Z", nil, pass: pass)
        let stranger = try await api.customer(planId: flex, ["name": "Elsewhere Person"])
        try await api.storeVisit(stranger, at: other, "2026-11-26T10:00:00Z", "2026-11-26T12:00:00Z", plan: flex)
        return (location, other)
    }

    static let range = "from=2026-11-26T00:00:00Z&to=2026-11-28T00:00:00Z"

    @Test func presenceByCustomerPlanAndDay() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-27T10:00:00Z"))) { api in
            let (location, _) = try await fixture(api)
            let base = "/api/v1/reports/presence?\(Self.range)&locationId=\(location)"
            #expect(rows(try await api.get(base)) == ["Ada Lovelace": "3/360/1", "Grace Hopper": "2/120/1"])
            #expect(rows(try await api.get(base + "&groupBy=plan")) == ["Flex": "3/360/1", "Day and time passes": "2/120/1"])
            let days = try await api.get(base + "&groupBy=day")
            #expect(days.items.map { $0["key"] as? String } == ["2026-11-25", "2026-11-26", "2026-11-27"])
            #expect(rows(days) == ["2026-11-25": "1/60/1", "2026-11-26": "3/330/2", "2026-11-27": "2/90/1"])
            // Without the filter, the other location's visit counts too.
            #expect(rows(try await api.get("/api/v1/reports/presence?\(Self.range)"))["Elsewhere Person"] == "1/120/1")
        }
    }

    @Test func presenceAsCSV() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-27T10:00:00Z"))) { api in
            let (location, _) = try await fixture(api)
            var headers = adminHeaders
            headers.add(name: .accept, value: "text/csv")
            let csv = try await api.request(.GET, "/api/v1/reports/presence?\(Self.range)&locationId=\(location)&groupBy=plan", headers: headers)
            #expect(csv.status == .ok)
            #expect(csv.contentType?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "key,label,visits,minutes,uniqueCustomers")
            #expect(lines.dropFirst().map { $0.split(separator: ",").dropFirst().joined(separator: ",") }
                == ["Day and time passes,2,120,1", "Flex,3,360,1"])
            #expect(lines[1].hasPrefix("passes,"))
        }
    }

    @Test func dayPresenceAcrossTheAutumnChange() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-27T10:00:00Z"))) { api in
            let location = try await api.location(["name": "Autumn"])
            let ada = try await api.customer(planId: try await api.plan())
            // From 23:00 CEST on 24 October to 00:30 CET on the 26th; the 25th has 25 hours.
            try await api.storeVisit(ada, at: location, "2026-10-24T21:00:00Z", "2026-10-25T23:30:00Z")
            let days = try await api.get("/api/v1/reports/presence?from=2026-10-24T00:00:00Z&to=2026-10-27T00:00:00Z&groupBy=day&locationId=\(location)")
            #expect(rows(days) == ["2026-10-24": "1/60/1", "2026-10-25": "1/1500/1", "2026-10-26": "1/30/1"])
        }
    }

    @Test func occupancyPerHour() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-27T10:00:00Z"))) { api in
            let location = try await api.location()
            let ada = try await api.customer(planId: try await api.plan())
            let grace = try await api.customer(planId: try await api.plan())
            try await api.storeVisit(ada, at: location, "2026-11-26T08:00:00Z", "2026-11-26T09:30:00Z")
            try await api.storeVisit(grace, at: location, "2026-11-26T08:30:00Z", "2026-11-26T08:45:00Z")
            try await api.storeVisit(grace, at: location, "2026-11-26T09:30:00Z", "2026-11-26T10:30:00Z")
            let reply = try await api.get("/api/v1/reports/occupancy?locationId=\(location)&from=2026-11-26T08:00:00Z&to=2026-11-26T11:00:00Z")
            #expect(reply.status == .ok)
            #expect(reply.items.map { "\($0["start"] as? String ?? "") \($0["peak"] as? Int ?? -1) \($0["average"] as? Double ?? -1)" } == [
                "2026-11-26T08:00:00Z 2 1.25", "2026-11-26T09:00:00Z 1 1.0", "2026-11-26T10:00:00Z 1 0.5",
            ])
        }
    }

    @Test(arguments: [
        "/api/v1/reports/presence?to=2026-11-28T00:00:00Z",
        "/api/v1/reports/presence?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z",
        "/api/v1/reports/presence?from=2025-01-01T00:00:00Z&to=2026-11-27T00:00:00Z",
        "/api/v1/reports/presence?from=yesterday&to=2026-11-27T00:00:00Z",
        "/api/v1/reports/presence?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z&groupBy=colour",
        "/api/v1/reports/occupancy?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z",
        "/api/v1/reports/occupancy?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z&locationId=3F2504E0-4F89-11D3-9A0C-0305E82C3301",
    ])
    func badReportRequestsAreClear400s(path: String) async throws {
        try await withFootfall { api in
            let reply = try await api.get(path)
            #expect(reply.status == .badRequest, "\(reply.body)")
            #expect(reply.code == "invalid_request")
        }
    }
}
