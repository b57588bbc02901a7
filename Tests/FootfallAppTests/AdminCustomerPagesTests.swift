@testable import FootfallApp
import Fluent
import Foundation
import Testing
import VaporTesting

@Suite("Admin panel: customers")
struct AdminCustomerPagesTests {
    @Test func customerPageShowsUsageAndTakesPinsCardsAndPasses() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan(["name": "Flex 10", "limits": ["period": "week", "hours": 10] as [String: any Sendable]])
            let ada = try await api.customer(planId: plan, ["name": "Ada Lovelace"])
            let grace = try await api.customer(planId: plan, ["name": "Grace Hopper"])
            #expect(try await api.request(.PUT, "/api/v1/customers/\(grace)/pin", ["pin": "4821"]).status == .noContent)
            let visit = try await api.checkIn(ada, at: location)
            api.clock.advance(by: 2.5 * 3600)
            _ = try await api.post("/api/v1/check-ins/\(visit.id)/check-out")

            var browser = try await PanelBrowser.signedIn(to: api)
            let list = try await browser.send(.GET, "/admin/customers?q=lovelace")
            #expect(list.body.string.contains("/admin/customers/\(ada)"))
            #expect(!list.body.string.contains("Grace Hopper"))

            let page = try await browser.send(.GET, "/admin/customers/\(ada)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Flex 10"))
            #expect(page.body.string.contains("PIN not set"))
            #expect(page.body.string.contains("Hours this week: <strong>2.5 of 10 h</strong>"))
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))

            let pin = try await browser.send(.POST, "/admin/customers/\(ada)/pin", form: ["_csrf": csrf, "pin": "5590"])
            #expect(pin.body.string.contains("PIN set."))
            #expect(pin.body.string.contains("PIN set</p>") || pin.body.string.contains("· PIN set"))
            let taken = try await browser.send(.POST, "/admin/customers/\(ada)/pin", form: ["_csrf": csrf, "pin": "4821"])
            #expect(taken.status == .conflict)
            #expect(taken.body.string.contains("Another customer has this PIN"))

            let card = try await browser.send(.POST, "/admin/customers/\(ada)/cards", form: ["_csrf": csrf, "number": "04:A2:2B:61:9C:3D:80"])
            #expect(card.body.string.contains("Card added."))
            #expect(card.body.string.contains("04A22B619C3D80"))
            let pass = try await browser.send(.POST, "/admin/customers/\(ada)/passes", form: ["_csrf": csrf, "kind": "time", "minutes": "300"])
            #expect(pass.body.string.contains("Pass added."))
            #expect(pass.body.string.contains("300 of 300 min left"))

            // A Wi-Fi login, its password shown once on the page and stored only as a hash; a rate.
            let login = try await browser.send(.POST, "/admin/customers/\(ada)/access-tokens",
                                               form: ["_csrf": csrf, "minutes": "90", "maxDevices": "2"])
            let shown = try #require(login.body.string.firstMatch(of: /New Wi-Fi login: username ([\w-]+), password ([\w-]+)/))
            let tokens = try await api.get("/api/v1/customers/\(ada)/access-tokens").items
            #expect(tokens.count == 1 && tokens.first?["username"] as? String == String(shown.1))
            #expect(tokens.first?["minutes"] as? Int == 90 && tokens.first?["maxDevices"] as? Int == 2)
            let stored = try await AccessTokenModel.query(on: api.app.db).filter(\.$username == String(shown.1)).first()
            #expect(stored?.passwordHash == SecretToken.digest(String(shown.2)) && stored?.chapPassword == nil)
            let rate = try await browser.send(.POST, "/admin/customers/\(ada)/rate",
                                              form: ["_csrf": csrf, "payPrice": "1.20", "payIncrement": "30", "payMinimum": "", "payMaximum": "6"])
            #expect(rate.body.string.contains("Rate saved."))
            let saved = try await api.get("/api/v1/customers/\(ada)")["payAsYouGo"] as? [String: Any]
            #expect(saved?["price"] as? Int == 120 && saved?["increment"] as? Int == 30 && saved?["dailyMaximum"] as? Int == 600)

            let forged = try await browser.send(.POST, "/admin/customers/\(ada)/passes", form: ["kind": "day"])
            #expect(forged.status == .forbidden)
            #expect(try await api.get("/api/v1/customers/\(ada)/passes").items.count == 1)
        }
    }

    @Test func visitTimesAreCorrectedOnTheLocationsClockAndTheChangeIsLogged() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let ada = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace"])
            let grace = try await api.customer(["name": "Grace Hopper"])
            let visit = try await api.checkIn(ada, at: location)
            api.clock.advance(by: 2.5 * 3600)
            _ = try await api.post("/api/v1/check-ins/\(visit.id)/check-out")

            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/customers/\(ada)")
            // The form shows the visit on Berlin's clock: 10:00 to 12:30.
            #expect(page.body.string.contains("value=\"2026-11-26T10:00\""))
            #expect(page.body.string.contains("value=\"2026-11-26T12:30\""))
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))
            let path = "/admin/customers/\(ada)/visits/\(visit.id)"

            let corrected = try await browser.send(.POST, path, form: ["_csrf": csrf, "checkedInAt": "2026-11-26T09:30", "checkedOutAt": "2026-11-26T12:00"])
            #expect(corrected.status == .ok)
            #expect(corrected.body.string.contains("Visit corrected."))
            let stored = try await api.get("/api/v1/check-ins?customerId=\(ada)").items.first
            #expect(stored?["checkedInAt"] as? String == "2026-11-26T08:30:00Z")
            #expect(stored?["checkedOutAt"] as? String == "2026-11-26T11:00:00Z")
            // Who changed what, when.
            let log = try #require(corrected.body.string.range(of: "id=\"corrections\"").map { String(corrected.body.string[$0.lowerBound...]) })
            #expect(log.contains("ops@example.com"))
            #expect(log.contains("10:00") && log.contains("9:30"))

            let backwards = try await browser.send(.POST, path, form: ["_csrf": csrf, "checkedInAt": "2026-11-26T12:00", "checkedOutAt": "2026-11-26T11:00"])
            #expect(backwards.status == .badRequest)
            #expect(backwards.body.string.contains("the check-out must not be before the check-in"))
            let garbled = try await browser.send(.POST, path, form: ["_csrf": csrf, "checkedInAt": "yesterday"])
            #expect(garbled.status == .badRequest)
            let notHers = try await browser.send(.POST, "/admin/customers/\(grace)/visits/\(visit.id)",
                                                 form: ["_csrf": csrf, "checkedInAt": "2026-11-26T09:00"])
            #expect(notHers.status == .notFound)
            let forged = try await browser.send(.POST, path, form: ["checkedInAt": "2026-11-26T08:00"])
            #expect(forged.status == .forbidden)
            #expect(try await api.get("/api/v1/check-ins?customerId=\(ada)").items.first?["checkedInAt"] as? String == "2026-11-26T08:30:00Z")
        }
    }
}
