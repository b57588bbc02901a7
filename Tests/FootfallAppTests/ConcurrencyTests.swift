@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Concurrent check-ins never open two visits")
struct ConcurrencyTests {
    @Test func fiftySimultaneousCheckInsOpenOneVisit() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<50 { group.addTask { try await api.checkIn(customer, at: location) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try expectOneVisit(replies)
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.count == 1)
        }
    }

    /// Two server instances on one database, as behind a load balancer.
    @Test func twoInstancesSharingTheDatabaseOpenOneVisit() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { first in
            try await withFootfall(clock: clock, database: database) { second in
                let location = try await first.location()
                let plan = try await first.plan()
                let customers = [try await first.customer(planId: plan), try await second.customer(planId: plan)]
                for customer in customers {
                    let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                        for index in 0..<50 {
                            let server = index.isMultiple(of: 2) ? first : second
                            group.addTask { try await server.checkIn(customer, at: location) }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    try expectOneVisit(replies)
                }
                #expect(try await first.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 2)
                #expect(try await second.get("/api/v1/check-ins").items.count == 2)
            }
        }
    }

    /// Twenty members tap at once at a location for three, half through each of two instances
    /// on one database; then admins check people in through one instance while readers tap
    /// through the other. Never more people in than the capacity, on either database.
    @Test func twoInstancesNeverAdmitMoreThanTheCapacity() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { first in
            try await withFootfall(clock: clock, database: database) { second in
                let plan = try await first.plan()
                var members: [(id: String, card: String)] = []
                for index in 0..<20 {
                    let customer = try await first.customer(planId: plan)
                    let card = String(format: "C0FFEE%02X", index)
                    #expect(try await first.post("/api/v1/customers/\(customer)/cards", ["number": card]).status == .created)
                    members.append((customer, card))
                }
                for round in 0..<10 {
                    let location = try await first.location(["name": "Round \(round)", "capacity": 3])
                    let readers = [try await first.device(at: location, direction: "in"), try await second.device(at: location, direction: "in")]
                    let mixed = round.isMultiple(of: 2)
                    let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                        for (index, member) in members.enumerated() {
                            if mixed, index.isMultiple(of: 2) {
                                // An admin at the desk, through the first instance.
                                group.addTask {
                                    let reply = try await first.checkIn(member.id, at: location)
                                    return reply.status == .created ? "checked_in" : (reply["reason"] as? String ?? "\(reply.status)")
                                }
                            } else {
                                let reader = readers[index % 2]
                                group.addTask {
                                    let reply = try await reader.send("card", member.card)
                                    return reply.result == "checked_in" ? "checked_in" : (reply.string("reason") ?? reply.result ?? "\(reply.status)")
                                }
                            }
                        }
                        return try await group.reduce(into: [String]()) { $0.append($1) }
                    }
                    #expect(outcomes.filter { $0 == "checked_in" }.count == 3, "round \(round): \(outcomes)")
                    #expect(outcomes.filter { $0 == "location_full" }.count == 17, "round \(round): \(outcomes)")
                    #expect(try await second.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 3, "round \(round)")
                    // Everyone out again for the next round.
                    for visit in try await first.get("/api/v1/check-ins?locationId=\(location)").items where visit["checkedOutAt"] is NSNull {
                        #expect(try await first.post("/api/v1/check-ins/\(visit["id"] as! String)/check-out").status == .ok)
                    }
                }
            }
        }
    }

    private func expectOneVisit(_ replies: [Reply]) throws {
        #expect(replies.count == 50)
        #expect(replies.filter { $0.status == .created }.count == 1)
        #expect(replies.allSatisfy { $0.status == .created || $0.status == .ok }, "\(replies.filter { $0.status.code >= 300 }.map(\.body))")
        #expect(Set(replies.map(\.id)).count == 1)
    }
}
