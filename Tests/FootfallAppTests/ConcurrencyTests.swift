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

    private func expectOneVisit(_ replies: [Reply]) throws {
        #expect(replies.count == 50)
        #expect(replies.filter { $0.status == .created }.count == 1)
        #expect(replies.allSatisfy { $0.status == .created || $0.status == .ok }, "\(replies.filter { $0.status.code >= 300 }.map(\.body))")
        #expect(Set(replies.map(\.id)).count == 1)
    }
}
