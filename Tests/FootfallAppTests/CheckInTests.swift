@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Admin check-ins, check-outs and failed check-ins")
struct CheckInTests {
    @Test func checkInThenAgainThenOut() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan()
            let customer = try await api.customer(planId: plan)
            let first = try await api.checkIn(customer, at: location)
            #expect(first.status == .created)
            #expect(first.string("checkedInAt") == "2026-11-26T09:00:00Z")
            #expect(first.string("method") == "admin")
            #expect(first["checkedOutAt"] is NSNull)
            #expect((first["admittedBy"] as? [String: String]) == ["plan": plan])

            api.clock.advance(by: 600)
            let again = try await api.checkIn(customer, at: location)
            #expect(again.status == .ok)
            #expect(again.id == first.id)
            #expect(again.string("checkedInAt") == "2026-11-26T09:00:00Z")

            let presence = try await api.get("/api/v1/locations/\(location)/presence")
            #expect(presence["count"] as? Int == 1)
            #expect(presence.items.first?["customer"] as? [String: String] == ["id": customer, "name": "Ada Lovelace"])

            api.clock.set(at("2026-11-26T11:00:00Z"))
            let out = try await api.post("/api/v1/check-ins/\(first.id)/check-out", ["at": "2026-11-26T11:30:00+01:00"])
            #expect(out.status == .ok)
            #expect(out.string("checkedOutAt") == "2026-11-26T10:30:00Z")
            #expect(out.string("checkOutMethod") == "admin")
            let twice = try await api.post("/api/v1/check-ins/\(first.id)/check-out")
            #expect(twice.status == .conflict)
            #expect(twice.code == "already_checked_out")
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 0)
            #expect(try await api.post("/api/v1/check-ins/\(UUID())/check-out").status == .notFound)
        }
    }

    @Test func badCheckInRequests() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/check-ins", ["locationId": location]).string("detail")?.hasPrefix("customerId") == true)
            #expect(try await api.post("/api/v1/check-ins", ["customerId": UUID().uuidString, "locationId": location]).string("detail")?.hasPrefix("customerId") == true)
            #expect(try await api.post("/api/v1/check-ins", ["customerId": customer, "locationId": "x"]).string("detail")?.hasPrefix("locationId") == true)
            #expect(try await api.checkIn(customer, at: location, time: "2026-11-27T09:00:00Z").string("detail")?.hasPrefix("at") == true)
            let visit = try await api.checkIn(customer, at: location)
            let early = try await api.post("/api/v1/check-ins/\(visit.id)/check-out", ["at": "2026-11-26T08:00:00Z"])
            #expect(early.status == .badRequest)
        }
    }

    /// Each refusal: 422 with the reason and the id of the failed check-in that records it.
    @Test(arguments: ReasonCase.all)
    func refusalsAreRecordedWithTheirReason(_ reasonCase: ReasonCase) async throws {
        try await withFootfall { api in
            let (customer, location) = try await reasonCase.setUp(api)
            let reply = try await api.checkIn(customer, at: location)
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.code == "check_in_refused")
            #expect(reply.string("reason") == reasonCase.reason.rawValue)
            let failedId = try #require(reply.string("failedCheckInId"))
            let failures = try await api.get("/api/v1/failed-check-ins?reason=\(reasonCase.reason.rawValue)")
            #expect(failures.items.count == 1)
            #expect(failures.items.first?["id"] as? String == failedId)
            #expect(failures.items.first?["customerId"] as? String == customer)
            #expect(failures.items.first?["method"] as? String == "admin")
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)&open=true").items.isEmpty)
        }
    }

    @Test func checkingInElsewhereMovesTheCustomer() async throws {
        try await withFootfall { api in
            let mitte = try await api.location()
            let brooklyn = try await api.location(["name": "Brooklyn", "timeZone": "America/New_York"])
            let customer = try await api.customer(planId: try await api.plan())
            let first = try await api.checkIn(customer, at: mitte)
            api.clock.advance(by: 3600)
            let second = try await api.checkIn(customer, at: brooklyn)
            #expect(second.status == .created)
            let closed = try await api.get("/api/v1/check-ins?customerId=\(customer)&open=false").items
            #expect(closed.count == 1)
            #expect(closed.first?["id"] as? String == first.id)
            #expect(closed.first?["checkOutMethod"] as? String == "moved")
            #expect(closed.first?["checkedOutAt"] as? String == "2026-11-26T10:00:00Z")
            #expect(try await api.get("/api/v1/locations/\(mitte)/presence")["count"] as? Int == 0)
            #expect(try await api.get("/api/v1/locations/\(brooklyn)/presence")["count"] as? Int == 1)
        }
    }

    @Test func editingAVisitIsAuditLogged() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            let visit = try await api.checkIn(customer, at: location)
            let edited = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-26T08:15:00Z", "checkedOutAt": "2026-11-26T08:45:00Z"])
            #expect(edited.status == .ok)
            #expect(edited.string("checkedInAt") == "2026-11-26T08:15:00Z")
            #expect(edited.string("checkedOutAt") == "2026-11-26T08:45:00Z")
            let audit = try await AuditEntryModel.query(on: api.app.db).all()
            #expect(audit.count == 1)
            #expect(audit.first?.actor == "env-token")
            #expect(audit.first?.details["checkedInAt.before"] == "2026-11-26T09:00:00Z")
            #expect(audit.first?.details["checkedOutAt.after"] == "2026-11-26T08:45:00Z")
            let backwards = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedOutAt": "2026-11-26T08:00:00Z"])
            #expect(backwards.status == .badRequest)
            let tooLong = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-19T08:00:00Z"])
            #expect(tooLong.status == .badRequest, "a visit lasts at most 7 days")
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first?["checkedInAt"] as? String == "2026-11-26T08:15:00Z")
        }
    }

    @Test func listsFilterByLocationCustomerTimeAndOpen() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let other = try await api.location(["name": "Other"])
            let plan = try await api.plan()
            let ada = try await api.customer(planId: plan)
            let bob = try await api.customer(planId: plan)
            let visit = try await api.checkIn(ada, at: location, time: "2026-11-26T07:00:00Z")
            _ = try await api.post("/api/v1/check-ins/\(visit.id)/check-out", ["at": "2026-11-26T08:00:00Z"])
            _ = try await api.checkIn(ada, at: location)
            _ = try await api.checkIn(bob, at: other)
            #expect(try await api.get("/api/v1/check-ins").items.count == 3)
            #expect(try await api.get("/api/v1/check-ins?locationId=\(location)").items.count == 2)
            #expect(try await api.get("/api/v1/check-ins?customerId=\(bob)").items.count == 1)
            #expect(try await api.get("/api/v1/check-ins?open=true").items.count == 2)
            #expect(try await api.get("/api/v1/check-ins?from=2026-11-26T08:30:00Z").items.count == 2)
            #expect(try await api.get("/api/v1/check-ins?to=2026-11-26T08:30:00Z").items.count == 1)
            #expect(try await api.get("/api/v1/check-ins?open=maybe").code == "invalid_request")
            #expect(try await api.get("/api/v1/check-ins?from=yesterday").code == "invalid_request")
            #expect(try await api.get("/api/v1/failed-check-ins?reason=bad_luck").code == "invalid_request")
        }
    }
}

/// A customer and location set up so that an admin check-in is refused for one reason.
struct ReasonCase: Sendable, CustomTestStringConvertible {
    let reason: ReasonCode
    let setUp: @Sendable (API) async throws -> (customer: String, location: String)
    var testDescription: String { reason.rawValue }

    static let all: [ReasonCase] = [
        ReasonCase(reason: .customerInactive) { api in
            (try await api.customer(planId: try await api.plan(), ["active": false]), try await api.location())
        },
        ReasonCase(reason: .locationFull) { api in
            let location = try await api.location(["capacity": 1])
            let plan = try await api.plan()
            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            return (try await api.customer(planId: plan), location)
        },
        ReasonCase(reason: .locationClosed) { api in
            // 09:00 UTC on a Thursday is 10:00 in Berlin; the space opens at 11:00.
            let location = try await api.location(["openingHours": ["thu": [["11:00", "20:00"]]]])
            return (try await api.customer(planId: try await api.plan()), location)
        },
        ReasonCase(reason: .planLocationNotAllowed) { api in
            let covered = try await api.location(["name": "Covered"])
            return (try await api.customer(planId: try await api.plan(["locationIds": [covered]])), try await api.location())
        },
        ReasonCase(reason: .outsideAccessHours) { api in
            let plan = try await api.plan(["accessHours": ["sat": [["09:00", "18:00"]], "sun": [["09:00", "18:00"]]]])
            return (try await api.customer(planId: plan), try await api.location())
        },
        ReasonCase(reason: .planLimitReached) { api in
            let plan = try await api.plan(["limits": ["period": "week", "days": 1] as [String: any Sendable]])
            let customer = try await api.customer(planId: plan)
            let location = try await api.location()
            let monday = try await api.checkIn(customer, at: location, time: "2026-11-23T09:00:00Z")
            _ = try await api.post("/api/v1/check-ins/\(monday.id)/check-out", ["at": "2026-11-23T10:00:00Z"])
            return (customer, location)
        },
        ReasonCase(reason: .noValidPass) { api in
            (try await api.customer(), try await api.location())
        },
    ]
}
