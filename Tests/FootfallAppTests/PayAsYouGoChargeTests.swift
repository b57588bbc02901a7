@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("Pay-as-you-go: admitted last, charged by the day, through the API and device events", .timeLimit(.minutes(6)))
struct PayAsYouGoChargeTests {
    /// Hand-computed (rates in cents): Ada pays her own rate, 250 a started 15 minutes, at least
    /// 300 and at most 2000 a day; she is in 16 minutes by the admin API and 1 minute by card:
    /// 17 minutes, two increments, 500. Bob's plan includes no time and bills 100 a quarter:
    /// 10 minutes at Mitte (100) and 50 at Kreuzberg the same day (4 quarters, 400). Cleo's plan
    /// includes one hour a week and bills 100 a quarter past it: in two hours, charged for the
    /// second (400), and her `overtime: checkout` does not end the visit.
    @Test func dailyChargesArePendingThenFinalAndNeverChangeAgain() async throws {
        try await withFootfall(settings: { $0.currency = "CHF" }) { api in
            let mitte = try await api.location()
            let kreuzberg = try await api.location(["name": "Kreuzberg"])
            let reader = try await api.device(at: mitte)
            let ada = try await api.customer(["name": "Ada", "payAsYouGo": ["price": 250, "increment": 15, "dailyMinimum": 300,
                                                                           "dailyMaximum": 2000] as [String: any Sendable]])
            #expect(try await api.post("/api/v1/customers/\(ada)/cards", ["number": "AABBCCDD"]).status == .created)
            let hotDesk = try await api.plan(["name": "Hot desk", "payAsYouGo": ["price": 100] as [String: any Sendable]])
            let bob = try await api.customer(planId: hotDesk, ["name": "Bob"])
            let partTime = try await api.plan(["name": "Part-time", "limits": ["period": "week", "hours": 1] as [String: any Sendable],
                                               "overtime": "checkout", "payAsYouGo": ["price": 100] as [String: any Sendable]])
            let cleo = try await api.customer(planId: partTime, ["name": "Cleo"])
            let nobody = try await api.customer(["name": "No rate"])

            // 09:00Z (10:00 in Berlin).
            let adaIn = try await api.checkIn(ada, at: mitte)
            #expect(adaIn.status == .created, "\(adaIn.body)")
            #expect((adaIn["admittedBy"] as? [String: Bool]) == ["payAsYouGo": true])
            let cleoIn = try await api.checkIn(cleo, at: mitte)
            #expect((cleoIn["admittedBy"] as? [String: String]) == ["plan": partTime])
            #expect(try await api.checkIn(nobody, at: mitte).string("reason") == "no_valid_pass")
            api.clock.set(at("2026-11-26T09:16:00Z"))
            #expect(try await api.post("/api/v1/check-ins/\(adaIn.id)/check-out").status == .ok)

            api.clock.set(at("2026-11-26T10:00:00Z"))
            let bobIn = try await api.checkIn(bob, at: mitte)
            #expect((bobIn["admittedBy"] as? [String: Bool]) == ["payAsYouGo": true])
            api.clock.set(at("2026-11-26T10:10:00Z"))
            let bobMoved = try await api.checkIn(bob, at: kreuzberg)
            #expect(bobMoved.status == .created, "\(bobMoved.body)")
            api.clock.set(at("2026-11-26T10:30:00Z"))
            #expect(try await api.app.ledger.sweep() == 0, "the included hour is over, and the rate carries Cleo's visit on")
            api.clock.set(at("2026-11-26T11:00:00Z"))
            #expect(try await api.post("/api/v1/check-ins/\(bobMoved.id)/check-out").status == .ok)
            #expect(try await api.post("/api/v1/check-ins/\(cleoIn.id)/check-out").status == .ok)

            api.clock.set(at("2026-11-26T13:00:00Z"))
            let tap = try await reader.send("card", "AABBCCDD")
            #expect(tap.result == "checked_in")
            #expect(((tap["checkIn"] as? [String: Any])?["admittedBy"] as? [String: Bool]) == ["payAsYouGo": true])
            api.clock.set(at("2026-11-26T13:01:00Z"))
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_out")

            let range = "from=2026-11-25T00:00:00Z&to=2026-11-28T00:00:00Z"
            let pending = try await api.get("/api/v1/charges?\(range)").items
            #expect(Set(pending.map { $0["status"] as? String }) == ["pending"])
            let expected: [String: (String, Int, Int)] = [ada: (mitte, 17, 500), cleo: (mitte, 60, 400)]
            for (customer, (location, minutes, amount)) in expected {
                let charge = try #require(pending.first { $0["customerId"] as? String == customer })
                #expect(charge["locationId"] as? String == location && charge["day"] as? String == "2026-11-26")
                #expect(charge["minutes"] as? Int == minutes && charge["amount"] as? Int == amount, "\(charge)")
                #expect(charge["currency"] as? String == "CHF")
            }
            #expect((pending.first { $0["customerId"] as? String == ada }?["checkInIds"] as? [String])?.count == 2)
            let bobs = pending.filter { $0["customerId"] as? String == bob }
                .map { ($0["locationId"] as? String ?? "", $0["minutes"] as? Int ?? 0, $0["amount"] as? Int ?? 0) }
            #expect(bobs.count == 2)
            #expect(bobs.contains { $0 == (mitte, 10, 100) } && bobs.contains { $0 == (kreuzberg, 50, 400) }, "\(bobs)")

            // The cut-off passes: the sweeper stores the day's charges, final, and announces each once.
            let announced = Task {
                var charges: [[String: Any]] = []
                for await event in api.app.ledger.live.subscribe() where event.name == "charge" {
                    charges.append((try? JSONSerialization.jsonObject(with: Data(event.json.utf8))) as? [String: Any] ?? [:])
                    if charges.count == 4 { break }
                }
                return charges.map { "\($0["customerId"] as? String ?? "") \($0["amount"] as? Int ?? -1) \($0["status"] as? String ?? "")" }
            }
            for _ in 0..<1000 where api.app.ledger.live.listeners == 0 { try await Task.sleep(for: .milliseconds(10)) }
            api.clock.set(at("2026-11-26T22:59:00Z"))
            _ = try await api.app.ledger.sweep()
            #expect(try await api.get("/api/v1/charges?\(range)&status=final").items.isEmpty)
            api.clock.set(at("2026-11-26T23:00:01Z"))
            _ = try await api.app.ledger.sweep()
            _ = try await api.app.ledger.sweep()
            #expect(await announced.value.sorted() == ["\(ada) 500 final", "\(bob) 100 final", "\(bob) 400 final", "\(cleo) 400 final"].sorted())

            // Final is final: a new rate changes nothing of the day.
            #expect(try await api.patch("/api/v1/customers/\(ada)", ["payAsYouGo": ["price": 1000] as [String: any Sendable]]).status == .ok)
            let final = try await api.get("/api/v1/charges?\(range)&customerId=\(ada)").items
            #expect(final.count == 1)
            #expect(final.first?["status"] as? String == "final" && final.first?["amount"] as? Int == 500)
            #expect(try await api.get("/api/v1/charges?\(range)&status=pending").items.isEmpty)
            #expect(try await api.get("/api/v1/charges?\(range)&locationId=\(kreuzberg)").items.count == 1)

            let csv = try await api.request(.GET, "/api/v1/charges?\(range)", headers: adminHeaders.adding("Accept", "text/csv"))
            #expect(csv.contentType?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "id,customerId,customerName,locationId,locationName,day,minutes,amount,currency,status,checkInIds")
            #expect(lines.contains { $0.contains(",Ada,\(mitte),Mitte,2026-11-26,17,500,CHF,final,") }, "\(csv.body)")
            #expect(lines.count == 5)
        }
    }

    @Test func aCorrectedCheckInIsChargedFromItsNewTime() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(["payAsYouGo": ["price": 100] as [String: any Sendable]])
            let visit = try await api.checkIn(customer, at: location)
            api.clock.set(at("2026-11-26T09:10:00Z"))
            #expect(try await api.post("/api/v1/check-ins/\(visit.id)/check-out").status == .ok)
            // Berlin's 26 November begins at 23:00 UTC the day before.
            let range = "from=2026-11-25T23:00:00Z&to=2026-11-26T23:00:00Z"
            let before = try await api.get("/api/v1/charges?\(range)")
            #expect(before.items.first?["amount"] as? Int == 100, "\(before.body) \(visit.body)")
            // She came at 08:50, the desk says: 20 minutes, two quarter hours.
            #expect(try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-26T08:50:00Z"]).status == .ok)
            let charge = try #require(try await api.get("/api/v1/charges?\(range)").items.first)
            #expect(charge["minutes"] as? Int == 20 && charge["amount"] as? Int == 200, "\(charge)")
        }
    }

    @Test func ratesAreCheckedAndShownOnPlansAndCustomers() async throws {
        try await withFootfall { api in
            let plan = try await api.plan(["payAsYouGo": ["price": 400, "dailyMaximum": 2400] as [String: any Sendable]])
            let shown = try await api.get("/api/v1/plans/\(plan)")
            let rate = try #require(shown["payAsYouGo"] as? [String: Any])
            #expect(rate["price"] as? Int == 400 && rate["increment"] as? Int == 15 && rate["dailyMaximum"] as? Int == 2400)
            #expect(rate["dailyMinimum"] is NSNull)
            let customer = try await api.customer()
            for (rate, field) in [(["price": -1], "price"), (["price": 1, "increment": 0], "increment"),
                                  (["price": 1, "dailyMinimum": 500, "dailyMaximum": 100], "dailyMaximum"),
                                  (["price": 100_000_001], "price")] as [([String: any Sendable], String)] {
                let reply = try await api.patch("/api/v1/customers/\(customer)", ["payAsYouGo": rate])
                #expect(reply.status == .badRequest && reply.code == "invalid_request", "\(reply.body)")
                #expect(reply.string("detail")?.contains("payAsYouGo.\(field)") == true, "\(reply.body)")
            }
            #expect(try await api.patch("/api/v1/plans/\(plan)", ["payAsYouGo": NSNull()]).json["payAsYouGo"] is NSNull)
            for query in ["", "from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z", "from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z&status=open"] {
                let reply = try await api.get("/api/v1/charges?\(query)")
                #expect(reply.status == .badRequest && reply.code == "invalid_request", "\(query): \(reply.body)")
            }
        }
    }
}

