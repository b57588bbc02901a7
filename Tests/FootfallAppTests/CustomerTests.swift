@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("Customers, their credentials and passes")
struct CustomerTests {
    @Test func customerIsCreatedSearchedAndUpdated() async throws {
        try await withFootfall { api in
            let plan = try await api.plan()
            let created = try await api.post("/api/v1/customers", ["name": "Grace Hopper", "email": "Grace@Example.com", "planId": plan])
            #expect(created.status == .created)
            #expect(created.string("email") == "grace@example.com")
            #expect(created["active"] as? Bool == true)
            #expect(created["hasPin"] as? Bool == false)
            #expect(created.string("planId") == plan)
            _ = try await api.customer(["name": "Alan Turing", "email": "alan@example.com"])

            let found = try await api.get("/api/v1/customers?q=grace")
            #expect(found.items.map { $0["name"] as? String } == ["Grace Hopper"])
            #expect(try await api.get("/api/v1/customers?q=EXAMPLE.COM").items.count == 2)

            let patched = try await api.patch("/api/v1/customers/\(created.id)", ["active": false, "planId": NSNull()])
            #expect(patched["active"] as? Bool == false)
            #expect(patched["planId"] is NSNull)
        }
    }

    @Test func emailsAreUniqueAndValid() async throws {
        try await withFootfall { api in
            _ = try await api.customer(["email": "sam@example.com"])
            let duplicate = try await api.post("/api/v1/customers", ["name": "Sam Two", "email": "SAM@example.com"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.code == "email_in_use")
            let invalid = try await api.post("/api/v1/customers", ["name": "Nobody", "email": "not-an-address"])
            #expect(invalid.status == .badRequest)
            #expect(invalid.string("detail")?.hasPrefix("email") == true)
            let unknownPlan = try await api.post("/api/v1/customers", ["name": "N", "email": "n@example.com", "planId": UUID().uuidString])
            #expect(unknownPlan.string("detail")?.hasPrefix("planId") == true)
        }
    }

    @Test func pinIsSetStoredAsAKeyedHashAndUnique() async throws {
        try await withFootfall { api in
            let first = try await api.customer()
            let second = try await api.customer()
            #expect(try await api.request(.PUT, "/api/v1/customers/\(first)/pin", ["pin": "4821"]).status == .noContent)
            #expect(try await api.get("/api/v1/customers/\(first)")["hasPin"] as? Bool == true)
            let stored = try #require(try await CustomerModel.find(UUID(uuidString: first), on: api.app.db))
            #expect(stored.pinHash != nil && stored.pinHash?.contains("4821") == false)

            let taken = try await api.request(.PUT, "/api/v1/customers/\(second)/pin", ["pin": "4821"])
            #expect(taken.status == .conflict)
            #expect(taken.code == "pin_in_use")
            #expect(try await api.request(.PUT, "/api/v1/customers/\(first)/pin", ["pin": "4821"]).status == .noContent)
            for pin in ["123", "123456789", "12a4"] {
                let reply = try await api.request(.PUT, "/api/v1/customers/\(second)/pin", ["pin": pin])
                #expect(reply.status == .badRequest)
                #expect(reply.string("detail")?.hasPrefix("pin") == true)
            }
        }
    }

    @Test func cardsAreNormalisedAndBelongToOneCustomer() async throws {
        try await withFootfall { api in
            let owner = try await api.customer()
            let other = try await api.customer()
            let card = try await api.post("/api/v1/customers/\(owner)/cards", ["number": "01:02:6f:6c:3a"])
            #expect(card.status == .created)
            #expect(card.string("normalized") == "01026F6C3A")
            // The same card as a reader reporting decimal.
            let same = try await api.post("/api/v1/customers/\(other)/cards", ["number": "004335823930", "format": "decimal"])
            #expect(same.status == .conflict)
            #expect(same.code == "card_in_use")
            let wiegand = try await api.post("/api/v1/customers/\(other)/cards", ["number": "123:45678", "format": "wiegand26"])
            #expect(wiegand.string("normalized") == "7BB26E")
            let bad = try await api.post("/api/v1/customers/\(other)/cards", ["number": "zz", "format": "hex"])
            #expect(bad.string("detail")?.hasPrefix("number") == true)
            #expect(try await api.post("/api/v1/customers/\(other)/cards", ["number": "12", "format": "octal"]).string("detail")?.hasPrefix("format") == true)

            #expect(try await api.delete("/api/v1/customers/\(other)/cards/\(card.id)").status == .notFound)
            #expect(try await api.delete("/api/v1/customers/\(owner)/cards/\(card.id)").status == .noContent)
            #expect(try await api.post("/api/v1/customers/\(other)/cards", ["number": "01026F6C3A"]).status == .created)
        }
    }

    @Test func accessTokenPasswordIsShownOnce() async throws {
        try await withFootfall { api in
            let customer = try await api.customer()
            let token = try await api.post("/api/v1/customers/\(customer)/access-tokens")
            #expect(token.status == .created)
            let password = try #require(token.string("password"))
            #expect(password.count >= 16)
            #expect(token.string("username")?.isEmpty == false)
            let stored = try await AccessTokenModel.query(on: api.app.db).all()
            #expect(stored.count == 1 && stored[0].passwordHash != password)
            let past = try await api.post("/api/v1/customers/\(customer)/access-tokens", ["expiresAt": "2020-01-01T00:00:00Z"])
            #expect(past.status == .badRequest)
        }
    }

    @Test func externalIdsAreUniquePerSystem() async throws {
        try await withFootfall { api in
            let first = try await api.customer()
            let second = try await api.customer()
            let created = try await api.post("/api/v1/customers/\(first)/external-ids", ["system": "kisi", "externalId": "u-42"])
            #expect(created.status == .created)
            #expect(created.string("system") == "kisi")
            let taken = try await api.post("/api/v1/customers/\(second)/external-ids", ["system": "kisi", "externalId": "u-42"])
            #expect(taken.code == "external_id_in_use")
            #expect(try await api.post("/api/v1/customers/\(second)/external-ids", ["system": "generic", "externalId": "u-42"]).status == .created)
        }
    }

    @Test func passesAreValidatedAndListed() async throws {
        try await withFootfall { api in
            let customer = try await api.customer()
            let location = try await api.location()
            let time = try await api.post("/api/v1/customers/\(customer)/passes", ["kind": "time", "minutes": 600, "locationIds": [location],
                                                                                     "validUntil": "2026-12-31T23:00:00+01:00"])
            #expect(time.status == .created)
            #expect(time["remainingMinutes"] as? Int == 600)
            #expect(time.string("validUntil") == "2026-12-31T22:00:00Z")
            #expect(time["usedOn"] as? [String] == [])
            _ = try await api.pass(customer, ["kind": "day"])
            let list = try await api.get("/api/v1/customers/\(customer)/passes")
            #expect(list.items.count == 2)

            for (body, field) in [
                (["kind": "time"], "minutes"), (["kind": "day", "minutes": 5], "minutes"), (["kind": "week"], "kind"),
                (["kind": "time", "minutes": -5], "minutes"),
                (["kind": "day", "validFrom": "2026-12-02T00:00:00Z", "validUntil": "2026-12-01T00:00:00Z"], "validUntil"),
                (["kind": "day", "validFrom": "yesterday"], "validFrom"),
            ] as [([String: any Sendable], String)] {
                let reply = try await api.post("/api/v1/customers/\(customer)/passes", body)
                #expect(reply.status == .badRequest)
                #expect(reply.string("detail")?.hasPrefix(field) == true, "\(reply.body)")
            }
        }
    }

    @Test func memberLinkIsPrivateToTheCustomer() async throws {
        try await withFootfall { api in
            let first = try await api.get("/api/v1/customers/\(try await api.customer())/member-link").string("url")
            let second = try await api.get("/api/v1/customers/\(try await api.customer())/member-link").string("url")
            #expect(first?.contains("/member/") == true)
            #expect(first != second)
        }
    }

    @Test func deletingACustomerErasesTheirRecords() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            _ = try await api.post("/api/v1/customers/\(customer)/cards", ["number": "AABBCCDD"])
            #expect(try await api.checkIn(customer, at: location).status == .created)
            #expect(try await api.delete("/api/v1/customers/\(customer)").status == .noContent)
            #expect(try await api.get("/api/v1/customers/\(customer)").status == .notFound)
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.isEmpty)
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 0)
        }
    }
}
