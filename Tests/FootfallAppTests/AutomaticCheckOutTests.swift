@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Passes, limits and automatic check-out through the app")
struct AutomaticCheckOutTests {
    @Test func cutoffClosesOpenVisitsAtTheCutoff() async throws {
        try await withFootfall { api in
            let location = try await api.location(["cutoffTime": "03:00"])
            let customer = try await api.customer(planId: try await api.plan())
            let visit = try await api.checkIn(customer, at: location, time: "2026-11-26T08:00:00Z")
            api.clock.set(at("2026-11-27T01:59:00Z")) // 02:59 in Berlin
            #expect(try await api.app.ledger.sweep() == 0)
            api.clock.set(at("2026-11-27T02:00:30Z"))
            #expect(try await api.app.ledger.sweep() == 1)
            let closed = try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first
            #expect(closed?["id"] as? String == visit.id)
            #expect(closed?["checkedOutAt"] as? String == "2026-11-27T02:00:00Z")
            #expect(closed?["checkOutMethod"] as? String == "closing_time")
        }
    }

    @Test func overtimeCheckoutClosesAtTheExactMinute() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan(["limits": ["period": "month", "hours": 2] as [String: any Sendable], "overtime": "checkout"])
            let customer = try await api.customer(planId: plan)
            api.clock.set(at("2026-11-26T06:00:00Z"))
            let earlier = try await api.checkIn(customer, at: location)
            api.clock.set(at("2026-11-26T07:15:00Z"))
            _ = try await api.post("/api/v1/check-ins/\(earlier.id)/check-out")
            // 45 minutes are left when this visit starts at 09:00.
            api.clock.set(at("2026-11-26T09:00:00Z"))
            let visit = try await api.checkIn(customer, at: location)
            #expect(visit.status == .created)
            api.clock.set(at("2026-11-26T10:00:00Z"))
            #expect(try await api.app.ledger.sweep() == 1)
            let closed = try await api.get("/api/v1/check-ins?customerId=\(customer)&open=false&from=2026-11-26T08:00:00Z").items.first
            #expect(closed?["checkedOutAt"] as? String == "2026-11-26T09:45:00Z")
            #expect(closed?["checkOutMethod"] as? String == "time_limit")
            let usage = try await api.get("/api/v1/customers/\(customer)/usage")
            #expect(usage["usedMinutes"] as? Int == 120)
            #expect(usage["remainingMinutes"] as? Int == 0)
            let refused = try await api.checkIn(customer, at: location)
            #expect(refused.string("reason") == "plan_limit_reached")
        }
    }

    @Test func reportOnlyLimitsAdmitAndShowOvertime() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan(["limits": ["period": "week", "hours": 1, "enforce": false] as [String: any Sendable]])
            let customer = try await api.customer(planId: plan)
            let first = try await api.checkIn(customer, at: location, time: "2026-11-26T06:00:00Z")
            _ = try await api.post("/api/v1/check-ins/\(first.id)/check-out", ["at": "2026-11-26T08:00:00Z"])
            let second = try await api.checkIn(customer, at: location)
            #expect(second.status == .created)
            api.clock.set(at("2026-11-26T09:30:00Z"))
            let usage = try await api.get("/api/v1/customers/\(customer)/usage")
            #expect(usage["usedMinutes"] as? Int == 150)
            #expect(usage["overtimeMinutes"] as? Int == 90)
            #expect(usage["overLimit"] as? Bool == true)
            #expect((usage["period"] as? [String: String])?["start"] == "2026-11-22T23:00:00Z")
        }
    }

    @Test func dayPassIsUsedUpByTheFirstCheckInOfItsDay() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer()
            let pass = try await api.pass(customer, ["kind": "day"])
            let first = try await api.checkIn(customer, at: location)
            #expect((first["admittedBy"] as? [String: String]) == ["pass": pass])
            _ = try await api.post("/api/v1/check-ins/\(first.id)/check-out")
            api.clock.set(at("2026-11-26T15:00:00Z"))
            let again = try await api.checkIn(customer, at: location)
            #expect((again["admittedBy"] as? [String: String]) == ["pass": pass])
            let passes = try await api.get("/api/v1/customers/\(customer)/passes")
            #expect(passes.items.first?["usedOn"] as? [String] == ["2026-11-26"])
            _ = try await api.post("/api/v1/check-ins/\(again.id)/check-out")
            api.clock.set(at("2026-11-27T09:00:00Z"))
            #expect(try await api.checkIn(customer, at: location).string("reason") == "no_valid_pass")
        }
    }

    @Test func timePassMinutesAreDeducted() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer()
            let pass = try await api.pass(customer, ["kind": "time", "minutes": 90])
            let visit = try await api.checkIn(customer, at: location)
            api.clock.set(at("2026-11-26T10:00:00Z"))
            _ = try await api.post("/api/v1/check-ins/\(visit.id)/check-out")
            let usage = try await api.get("/api/v1/customers/\(customer)/usage")
            let balance = (usage["passes"] as? [[String: Any]])?.first
            #expect(balance?["id"] as? String == pass)
            #expect(balance?["remainingMinutes"] as? Int == 30)
            // The rest of the pass runs out during the next visit; with no plan saying
            // otherwise the visit runs on and the pass stops at zero.
            let next = try await api.checkIn(customer, at: location)
            #expect(next.status == .created)
            api.clock.set(at("2026-11-26T11:00:00Z"))
            let passes = try await api.get("/api/v1/customers/\(customer)/passes")
            #expect(passes.items.first?["remainingMinutes"] as? Int == 0)
            _ = try await api.post("/api/v1/check-ins/\(next.id)/check-out")
            #expect(try await api.checkIn(customer, at: location).string("reason") == "no_valid_pass")
        }
    }

    @Test func visitsThatFellDueWhileTheServerWasDownCloseAtStartUp() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        var ids: (customer: String, visit: String) = ("", "")
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { api in
            let location = try await api.location(["cutoffTime": "03:00"])
            let customer = try await api.customer(planId: try await api.plan())
            ids = (customer, try await api.checkIn(customer, at: location).id)
        }
        // The server is down over the night; it starts again at 08:00 the next day.
        clock.set(at("2026-11-27T07:00:00Z"))
        try await withFootfall(clock: clock, database: database) { api in
            try await Sweeper().didBootAsync(api.app)
            await Sweeper().shutdownAsync(api.app)
            let visit = try await api.get("/api/v1/check-ins?customerId=\(ids.customer)").items.first
            #expect(visit?["id"] as? String == ids.visit)
            #expect(visit?["checkedOutAt"] as? String == "2026-11-27T02:00:00Z")
            #expect(visit?["checkOutMethod"] as? String == "closing_time")
        }
    }

    @Test func changingTheCutoffReschedulesOpenVisits() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            _ = try await api.checkIn(customer, at: location)
            _ = try await api.patch("/api/v1/locations/\(location)", ["cutoffTime": "18:00"])
            api.clock.set(at("2026-11-26T17:30:00Z"))
            #expect(try await api.app.ledger.sweep() == 1)
            let visit = try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first
            #expect(visit?["checkedOutAt"] as? String == "2026-11-26T17:00:00Z")
        }
    }
}
