@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

extension API {
    /// A token with an allowance of its own, made through the API.
    func allowanceToken(for customer: String, _ body: [String: any Sendable]) async throws -> (username: String, password: String, id: String) {
        let reply = try await post("/api/v1/customers/\(customer)/access-tokens", body)
        #expect(reply.status == .created, "\(reply.body)")
        return (try #require(reply.string("username")), try #require(reply.string("password")), reply.id)
    }

    func tokens(of customer: String) async throws -> [[String: Any]] {
        try await get("/api/v1/customers/\(customer)/access-tokens").items
    }
}

@Suite("Access tokens as entitlements on Wi-Fi, visitor tokens and device limits (radclient)", .timeLimit(.minutes(6)))
struct TokenAllowanceWifiTests {
    /// A 2-hour token valid until 12:00 (Berlin), logged in with at 11:00: the validity ends the
    /// visit. An admin corrects the check-in to 09:00: the two hours now end at 11:00, so the visit
    /// closes then, on its time limit, and the next login is refused as used up.
    @Test func aCorrectedCheckInSpendsATokensMinutesFromTheNewTime() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let customer = try await api.customer()
            let token = try await api.allowanceToken(for: customer, ["minutes": 120, "validUntil": "2026-11-26T11:00:00Z"])
            api.clock.advance(by: 3600)
            try await api.withRADIUS { server in
                let first = try await nas.login((token.username, token.password), on: server)
                #expect(first.received("Access-Accept"), "\(first.output)")
                #expect(first.attribute("Session-Timeout") == "3600", "the token's validity, an hour away")
                let visit = try #require(try await api.visits(of: customer).first?["id"] as? String)
                let edited = try await api.patch("/api/v1/check-ins/\(visit)", ["checkedInAt": "2026-11-26T08:00:00Z"])
                #expect(edited.status == .ok, "\(edited.body)")
                #expect(try await api.app.ledger.sweep() == 1)
                let closed = try #require(try await api.visits(of: customer).first)
                #expect(closed["checkedOutAt"] as? String == "2026-11-26T10:00:00Z")
                #expect(closed["checkOutMethod"] as? String == "time_limit")
                let again = try await nas.login((token.username, token.password), on: server)
                #expect(again.received("Access-Reject"), "\(again.output)")
                #expect(again.attribute("Reply-Message") == "token_used_up")
            }
        }
    }

    @Test func aTokenAloneAdmitsForItsMinutesAcrossDaysAndLocations() async throws {
        try await withFootfall { api in
            let mitte = try await api.location()
            let kreuzberg = try await api.location(["name": "Kreuzberg"])
            let lobby = try await api.nas(at: mitte)
            let annex = try await api.nas(at: kreuzberg, identifier: "ap-annex")
            let customer = try await api.customer()  // no plan, no pass
            let token = try await api.allowanceToken(for: customer, ["minutes": 60])
            try await api.withRADIUS { server in
                let first = try await lobby.login((token.username, token.password), ["Acct-Session-Id = \"s1\""], on: server)
                #expect(first.received("Access-Accept"), "\(first.output)")
                #expect(first.attribute("Session-Timeout") == "3600")
                // The NAS ends a quiet session when the ledger closes the visit for idleness.
                #expect(first.attribute("Idle-Timeout") == "900")
                let visit = try #require(try await api.visits(of: customer).first)
                #expect((visit["admittedBy"] as? [String: String]) == ["accessToken": token.id])

                api.clock.advance(by: 20 * 60)
                #expect(try await lobby.account(["Acct-Status-Type = Stop"], session: "s1", username: token.username, on: server).answered)
                #expect(try await api.tokens(of: customer).first?["remainingMinutes"] as? Int == 40)

                // The next day, at the other location: what is left of the same minutes.
                api.clock.set(at("2026-11-27T08:00:00Z"))
                let second = try await annex.login((token.username, token.password), ["Acct-Session-Id = \"s2\""], on: server)
                #expect(second.received("Access-Accept"), "\(second.output)")
                #expect(second.attribute("Session-Timeout") == "2400")

                // Traffic at 08:30 keeps the session from going idle; the minutes run out at 08:40:
                // the visit closes then, and the next login is refused.
                api.clock.set(at("2026-11-27T08:30:00Z"))
                #expect(try await annex.account(["Acct-Status-Type = Interim-Update", "Acct-Input-Octets = 5000"], session: "s2",
                                                username: token.username, on: server).answered)
                api.clock.set(at("2026-11-27T08:41:00Z"))
                #expect(try await api.app.ledger.sweep() == 1)
                let closed = try #require(try await api.visits(of: customer).first { $0["locationId"] as? String == kreuzberg })
                #expect(closed["checkedOutAt"] as? String == "2026-11-27T08:40:00Z")
                #expect(closed["checkOutMethod"] as? String == "time_limit")
                let usedUp = try await annex.login((token.username, token.password), on: server)
                #expect(usedUp.received("Access-Reject"), "\(usedUp.output)")
                #expect(usedUp.attribute("Reply-Message") == "token_used_up")
            }
            let failed = try await api.failedCheckIns
            #expect(failed.first?["reason"] as? String == "token_used_up")
            #expect(failed.first?["customerId"] as? String == customer)
            #expect(try await api.tokens(of: customer).first?["remainingMinutes"] as? Int == 0)
        }
    }

    @Test func aTokenOutsideItsValidityOrLocationsIsRefusedWithItsReason() async throws {
        try await withFootfall { api in
            let mitte = try await api.location()
            let elsewhere = try await api.location(["name": "Elsewhere"])
            let nas = try await api.nas(at: mitte)
            let customer = try await api.customer()
            let later = try await api.allowanceToken(for: customer, ["minutes": 60, "validFrom": "2026-11-26T12:00:00Z"])
            let there = try await api.allowanceToken(for: customer, ["locationIds": [elsewhere]])
            let plain = try await api.accessToken(for: customer)
            try await api.withRADIUS { server in
                let early = try await nas.login((later.username, later.password), on: server)
                #expect(early.attribute("Reply-Message") == "token_expired", "\(early.output)")
                let wrongPlace = try await nas.login((there.username, there.password), on: server)
                #expect(wrongPlace.attribute("Reply-Message") == "plan_location_not_allowed", "\(wrongPlace.output)")
                // A token without an allowance still only logs in: the customer has nothing else.
                let bare = try await nas.login(plain, on: server)
                #expect(bare.attribute("Reply-Message") == "no_valid_pass", "\(bare.output)")
                api.clock.set(at("2026-11-26T12:00:00Z"))
                #expect(try await nas.login((later.username, later.password), on: server).received("Access-Accept"))
            }
        }
    }

    @Test func aThirdDeviceOnATwoDeviceTokenWaitsForOneToLeave() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let customer = try await api.customer(planId: try await api.plan())
            let token = try await api.allowanceToken(for: customer, ["maxDevices": 2])
            let login = (token.username, token.password)
            func device(_ mac: String, session: String, on server: RADIUSServer) async throws -> RadclientRun {
                try await nas.login(login, ["Calling-Station-Id = \"\(mac)\"", "Acct-Session-Id = \"\(session)\""], on: server)
            }
            try await api.withRADIUS { server in
                #expect(try await device("AA-00-00-00-00-01", session: "a", on: server).received("Access-Accept"))
                #expect(try await device("AA-00-00-00-00-02", session: "b", on: server).received("Access-Accept"))
                let third = try await device("AA-00-00-00-00-03", session: "c", on: server)
                #expect(third.received("Access-Reject"), "\(third.output)")
                #expect(third.attribute("Reply-Message") == "device_limit_reached")
                // A device already online may log in again.
                #expect(try await device("AA-00-00-00-00-01", session: "a2", on: server).received("Access-Accept"))
                #expect(try await api.tokens(of: customer).first?["devicesOnline"] as? Int == 2)
                // The second leaves: the customer stays in on the first, and the third gets its place.
                #expect(try await nas.account(["Acct-Status-Type = Stop", "Calling-Station-Id = \"AA-00-00-00-00-02\""], session: "b",
                                              username: token.username, on: server).answered)
                #expect(try await api.visits(of: customer).first?["checkedOutAt"] is NSNull)
                #expect(try await device("AA-00-00-00-00-03", session: "c2", on: server).received("Access-Accept"))
                // A Stop for a session none of them has (a late one of an earlier session) leaves the visit alone.
                #expect(try await nas.account(["Acct-Status-Type = Stop"], session: "long-gone", username: token.username, on: server).answered)
                #expect(try await api.visits(of: customer).first?["checkedOutAt"] is NSNull)
            }
            #expect(try await api.failedCheckIns.map { $0["reason"] as? String } == ["device_limit_reached"])
            #expect(try await api.visits(of: customer).count == 1)
        }
    }

    @Test func aPrintedVisitorTokenLogsInAndShowsUpUnderItsVisitorName() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let member = try await api.customer(planId: try await api.plan())
            let batch = try await api.post("/api/v1/visitor-tokens", ["label": "Open day", "count": 3, "minutes": 90,
                                                                       "validUntil": "2026-11-27T00:00:00Z"])
            #expect(batch.status == .created, "\(batch.body)")
            #expect(batch.items.count == 3)
            let second = try #require(batch.items.dropFirst().first)
            let login = (try #require(second["username"] as? String), try #require(second["password"] as? String))
            let visitor = try #require(second["customerId"] as? String)
            try await api.withRADIUS { server in
                let run = try await nas.login(login, ["Calling-Station-Id = \"AA-00-00-00-00-07\""], on: server)
                #expect(run.received("Access-Accept"), "\(run.output)")
                #expect(run.attribute("Session-Timeout") == "5400")
                // A visitor token is for one device.
                let other = try await nas.login(login, ["Calling-Station-Id = \"AA-00-00-00-00-08\""], on: server)
                #expect(other.attribute("Reply-Message") == "device_limit_reached", "\(other.output)")
            }
            let presence = try await api.get("/api/v1/locations/\(location)/presence").items
            #expect(presence.compactMap { ($0["customer"] as? [String: Any])?["name"] as? String } == ["Open day 2"])
            // Visitors are listed apart from members.
            #expect(try await api.get("/api/v1/customers").items.map { $0["id"] as? String } == [member])
            let visitors = try await api.get("/api/v1/customers?kind=visitor").items
            #expect(visitors.compactMap { $0["name"] as? String }.sorted() == ["Open day 1", "Open day 2", "Open day 3"])
            #expect(visitors.allSatisfy { $0["kind"] as? String == "visitor" })
            let listed = try await api.get("/api/v1/visitor-tokens").items
            #expect(listed.count == 3)
            #expect(listed.allSatisfy { $0["password"] == nil })
            let mine = try #require(listed.first { $0["customerId"] as? String == visitor })
            #expect(mine["devicesOnline"] as? Int == 1 && mine["remainingMinutes"] as? Int == 90 && mine["label"] as? String == "Open day")
            // Reports count visitors' visits apart when asked.
            let range = "from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z"
            _ = try await api.checkIn(member, at: location)
            api.clock.advance(by: 600)
            let visitorsOnly = try await api.get("/api/v1/reports/presence?\(range)&kind=visitor").items
            #expect(visitorsOnly.map { $0["label"] as? String } == ["Open day 2"])
            let membersOnly = try await api.get("/api/v1/reports/presence?\(range)&kind=member").items
            #expect(membersOnly.map { $0["label"] as? String } == ["Ada Lovelace"])
            #expect(try await api.get("/api/v1/reports/presence?\(range)").items.count == 2)
            // A second batch under the same label numbers on.
            let more = try await api.post("/api/v1/visitor-tokens", ["label": "Open day", "count": 1, "validUntil": "2026-11-27T00:00:00Z"])
            let next = try #require(more.items.first?["customerId"] as? String)
            #expect(try await api.get("/api/v1/customers/\(next)").string("name") == "Open day 4")
        }
    }

    @Test func badAllowancesAndBatchesAreRefusedByField() async throws {
        try await withFootfall { api in
            let customer = try await api.customer()
            for (body, field) in [(["minutes": 0], "minutes"), (["maxDevices": 0], "maxDevices"), (["maxDevices": 101], "maxDevices"),
                                  (["locationIds": [UUID().uuidString]], "locationIds"),
                                  (["validFrom": "2026-11-27T00:00:00Z", "validUntil": "2026-11-26T00:00:00Z"], "validUntil")]
                as [([String: any Sendable], String)] {
                let reply = try await api.post("/api/v1/customers/\(customer)/access-tokens", body)
                #expect(reply.status == .badRequest && reply.code == "invalid_request", "\(body): \(reply.body)")
                #expect(reply.string("detail")?.contains(field) == true, "\(reply.body)")
            }
            for body in [["label": "x", "count": 0, "minutes": 60], ["label": "x", "count": 501, "minutes": 60], ["label": " ", "count": 1, "minutes": 60],
                         ["label": "never ends", "count": 1]] as [[String: any Sendable]] {
                let reply = try await api.post("/api/v1/visitor-tokens", body)
                #expect(reply.status == .badRequest && reply.code == "invalid_request", "\(body): \(reply.body)")
            }
            #expect(try await api.get("/api/v1/customers?kind=guest").status == .badRequest)
            #expect(try await api.get("/api/v1/visitor-tokens").items.isEmpty)
        }
    }
}
