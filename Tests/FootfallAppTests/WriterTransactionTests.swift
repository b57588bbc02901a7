@testable import FootfallApp
import FootfallCore
import Foundation
import Testing

/// On PostgreSQL the writer's turns of card taps that only open visits or are refused write in
/// one statement without `BEGIN` and `COMMIT`; every turn that needs a transaction (a lock, a
/// check of what it changed, more than one write) still has one. On SQLite every turn has one.
@Suite("Card taps and the writer's transaction")
struct WriterTransactionTests {
    @Test func tapsThatOnlyOpenVisitsWriteWithoutATransactionOnPostgreSQLAndTheRestWithOne() async throws {
        try await withFootfall { api in
            let writer = api.app.ledger.writer
            /// Sends one event; says whether the writer's turn for it had a transaction.
            func inTransaction(_ expected: String, _ send: () async throws -> Reply) async throws -> Bool {
                let before = writer.turnsWithoutTransaction.withLockedValue { $0 }
                let reply = try await send()
                #expect(reply.result == expected || reply.string("reason") == expected, "\(reply.body)")
                return writer.turnsWithoutTransaction.withLockedValue { $0 } == before
            }
            let lazy = !TestDatabase.isPostgres

            let location = try await api.location()
            let reader = try await api.device(at: location)
            let member = try await api.member(card: "AABBCCDD", pin: "4821")
            // A check-in, and an unknown card's failed check-in: one statement each.
            #expect(try await inTransaction("checked_in") { try await reader.send("card", "AABBCCDD") } == lazy)
            #expect(try await inTransaction("unknown_credential") { try await reader.send("card", "DEADBEEF42") } == lazy)
            #expect(try await api.get("/api/v1/failed-check-ins").items.count == 1)

            // A check-out closes a visit, checking that nobody closed it first.
            api.clock.advance(by: 60)
            #expect(try await inTransaction("checked_out") { try await reader.send("card", "AABBCCDD") })
            // A check-in dated in the past is judged by the ledger as it stood then.
            api.clock.advance(by: 600)
            let earlier = RFC3339.format(api.clock.now() - 300)
            #expect(try await inTransaction("checked_in") { try await reader.send("card", "AABBCCDD", at: earlier) })
            // A location with a capacity is counted under its lock; going there moves the member.
            let booth = try await api.device(at: try await api.location(["name": "Booth", "capacity": 1]))
            #expect(try await inTransaction("checked_in") { try await booth.send("card", "AABBCCDD") })
            api.clock.advance(by: 60)
            #expect(try await inTransaction("checked_out") { try await booth.send("card", "AABBCCDD") })
            // A PIN is judged under the kiosk's lock.
            let kiosk = try await api.device(at: location, kind: "kiosk")
            #expect(try await inTransaction("checked_in") { try await kiosk.send("pin", "4821") })
            let visits = try await api.get("/api/v1/check-ins?customerId=\(member)").items
            #expect(visits.count == 4)
            #expect(visits.filter { $0["checkedOutAt"] is NSNull }.count == 1)

            // A day pass is used up by the check-in it admits.
            let guest = try await api.customer()
            #expect(try await api.post("/api/v1/customers/\(guest)/cards", ["number": "0A0B0C0D"]).status == .created)
            _ = try await api.pass(guest, ["kind": "day"])
            #expect(try await inTransaction("checked_in") { try await reader.send("card", "0A0B0C0D") })
            #expect(try await api.get("/api/v1/customers/\(guest)/passes").items.first?["usedOn"] as? [String] == ["2026-11-26"])

            // Webhook deliveries are written with what they tell of.
            _ = try await api.member(card: "11223344")
            #expect(try await api.post("/api/v1/webhooks", ["url": "http://127.0.0.1:9/placeholder", "events": ["check_in"]]).status == .created)
            #expect(try await inTransaction("checked_in") { try await reader.send("card", "11223344") })
        }
    }

    /// A reader behind a load balancer sends each tap to one server and its retry to the other
    /// at the same moment; two entry readers send the same member's taps to the two servers at
    /// once. Whichever server writes first, the retry is answered alike, and each
    /// member has one visit.
    @Test func twoInstancesGivenTheSameTapsAtOnceAnswerAlike() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { first in
            try await withFootfall(clock: clock, database: database) { second in
                let location = try await first.location()
                let device = try await first.device(at: location)
                let retrying = TestDevice(id: device.id, key: device.key, api: second)
                let entry = try await first.device(at: location, direction: "in")
                let beside = try await second.device(at: location, direction: "in")
                var cards: [String] = []
                for index in 0..<40 {
                    let card = String(format: "C0FFEE%02X", index)
                    _ = try await first.member(card: card)
                    cards.append(card)
                }
                let replies = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                    for card in cards.prefix(20) {
                        let eventId = "tap-\(card)"
                        group.addTask { (card, try await device.send("card", card, eventId: eventId)) }
                        group.addTask { (card, try await retrying.send("card", card, eventId: eventId)) }
                    }
                    for card in cards.suffix(20) {
                        group.addTask { (card, try await entry.send("card", card)) }
                        group.addTask { (card, try await beside.send("card", card)) }
                    }
                    return try await group.reduce(into: [String: [Reply]]()) { $0[$1.0, default: []].append($1.1) }
                }
                for card in cards.prefix(20) {
                    let pair = try #require(replies[card])
                    #expect(pair.count == 2 && pair[0].body == pair[1].body, "\(card): \(pair.map(\.body))")
                    #expect(pair[0].result == "checked_in", "\(card): \(pair[0].body)")
                }
                for card in cards.suffix(20) {
                    let results = try #require(replies[card]).compactMap(\.result)
                    #expect(results.sorted() == ["already_in", "checked_in"], "\(card): \(results)")
                }
                #expect(try await second.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 40)
                #expect(try await first.get("/api/v1/check-ins").items.count == 40)
            }
        }
    }
}
