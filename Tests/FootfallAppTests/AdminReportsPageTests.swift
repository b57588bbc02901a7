@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("Admin panel: reports page with charts and limits")
struct AdminReportsPageTests {
    @Test func occupancyChartHeatMapAndCustomersOverTheirLimits() async throws {
        try await withFootfall { api in
            let location = try await api.location(["capacity": 12])
            // Reports its limit only: one day a week, so a second day is over it.
            let plan = try await api.plan(["name": "One day", "limits": ["period": "week", "days": 1, "enforce": false] as [String: any Sendable]])
            let ada = try await api.customer(planId: plan, ["name": "Ada Lovelace"])
            let grace = try await api.customer(planId: plan, ["name": "Grace Hopper"])
            // Thursday 26 November, 10:00–12:00 in Berlin; Grace 10:30–11:00.
            let first = try await api.checkIn(ada, at: location)
            api.clock.advance(by: 1800)
            let graceVisit = try await api.checkIn(grace, at: location)
            api.clock.advance(by: 1800)
            #expect(try await api.post("/api/v1/check-ins/\(graceVisit.id)/check-out").status == .ok)
            api.clock.advance(by: 3600)
            #expect(try await api.post("/api/v1/check-ins/\(first.id)/check-out").status == .ok)
            // Friday: Ada again, 10:00–11:00.
            api.clock.advance(by: 22 * 3600)
            let second = try await api.checkIn(ada, at: location)
            #expect(second.status == .created)
            api.clock.advance(by: 3600)
            #expect(try await api.post("/api/v1/check-ins/\(second.id)/check-out").status == .ok)

            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/reports?locationId=\(location)&from=2026-11-26&to=2026-11-27")
            let html = page.body.string
            #expect(page.status == .ok)
            // 48 hours drawn; a bar for each hour someone was in, with its peak and average.
            #expect(html.contains("class=\"chart occupancy-chart\""))
            #expect(html.components(separatedBy: "class=\"peak\"").count - 1 == 3)
            #expect(html.contains(": peak 2, average 1.5</title>"))
            #expect(html.contains(": peak 1, average 1.0</title>"))
            #expect(html.contains("<title>Capacity 12</title>"))
            // The heat map: Thursday 10–11 had 1.5 people on average, Friday 10–11 one.
            #expect(html.contains("<title>Thu 10:00–11:00: 1.5 people on average</title>"))
            #expect(html.contains("<title>Fri 10:00–11:00: 1 people on average</title>"))
            #expect(html.contains("<title>Mon 10:00–11:00: not in the range</title>"))
            // Ada used two days of one; Grace one of one is not over.
            let overLimit = try #require(html.range(of: "id=\"over-limit\"").map { String(html[$0.lowerBound...]) })
            #expect(overLimit.contains("Ada Lovelace"))
            #expect(overLimit.contains("2 of 1"))
            #expect(!overLimit.contains("Grace Hopper"))
        }
    }
}
