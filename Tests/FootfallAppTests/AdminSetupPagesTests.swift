@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("Admin panel: locations, plans and devices")
struct AdminSetupPagesTests {
    @Test func locationsAreCreatedAndEditedWithTheirHours() async throws {
        try await withFootfall { api in
            var browser = try await PanelBrowser.signedIn(to: api)
            let csrf = try #require(PanelBrowser.csrf(in: try await browser.send(.GET, "/admin/locations").body.string))
            let fields = ["_csrf": csrf, "name": "Mitte", "timeZone": "Europe/Berlin", "capacity": "30", "cutoffTime": "03:00",
                          "openingHours": "mon-fri 08:00-20:00\nsat 10:00-14:00, 15:00-18:00"]
            let created = try await browser.send(.POST, "/admin/locations", form: fields)
            #expect(created.status == .ok)
            #expect(created.body.string.contains("Mitte created."))
            let location = try #require(try await api.get("/api/v1/locations").items.first)
            #expect(location["capacity"] as? Int == 30)
            #expect(location["cutoffTime"] as? String == "03:00")
            let hours = location["openingHours"] as? [String: [[String]]]
            #expect(hours?["tue"] == [["08:00", "20:00"]])
            #expect(hours?["sat"] == [["10:00", "14:00"], ["15:00", "18:00"]])
            #expect(hours?["sun"] == nil)

            // Refusals keep what was typed and say what is wrong.
            var bad = fields
            bad["capacity"] = "lots"
            let refused = try await browser.send(.POST, "/admin/locations", form: bad.merging(["name": "Kreuzberg"]) { $1 })
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("must be a whole number"))
            #expect(refused.body.string.contains("value=\"Kreuzberg\""))
            let badHours = try await browser.send(.POST, "/admin/locations", form: fields.merging(["openingHours": "weekdays 8 to 5"]) { $1 })
            #expect(badHours.status == .badRequest)
            #expect(badHours.body.string.contains("line 1"))
            let badZone = try await browser.send(.POST, "/admin/locations", form: fields.merging(["timeZone": "Mars/Olympus"]) { $1 })
            #expect(badZone.status == .badRequest)
            #expect(try await api.get("/api/v1/locations").items.count == 1)

            // The edit page shows the hours as typed and saves a change.
            let id = try #require(location["id"] as? String)
            let edit = try await browser.send(.GET, "/admin/locations/\(id)")
            #expect(edit.body.string.contains("mon-fri 08:00-20:00\nsat 10:00-14:00, 15:00-18:00"))
            let saved = try await browser.send(.POST, "/admin/locations/\(id)", form: fields.merging(["capacity": "", "openingHours": ""]) { $1 })
            #expect(saved.body.string.contains("Saved."))
            let changed = try await api.get("/api/v1/locations/\(id)")
            #expect(changed["capacity"] is NSNull)
            #expect(changed["openingHours"] is NSNull)

            let forged = try await browser.send(.POST, "/admin/locations", form: fields.filter { $0.key != "_csrf" })
            #expect(forged.status == .forbidden)
            var stranger = PanelBrowser(app: api.app)
            let signedOut = try await stranger.send(.GET, "/admin/devices")
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers.first(name: .location) == "/admin/sign-in?next=/admin/devices")
        }
    }

    /// A location saved as the server stops is not saved: the form comes back, answered 503,
    /// with the reason and what was typed, and sent again it saves.
    @Test(.timeLimit(.minutes(1))) func aFormSentAsTheServerStopsComesBackToBeSentAgain() async throws {
        try await withFootfall { api in
            let id = try await api.location()
            var browser = try await PanelBrowser.signedIn(to: api)
            let csrf = try #require(PanelBrowser.csrf(in: try await browser.send(.GET, "/admin/locations/\(id)").body.string))
            let fields = ["_csrf": csrf, "name": "Mitte Nord", "timeZone": "Europe/Berlin", "capacity": "", "cutoffTime": "00:00",
                          "openingHours": ""]
            let writer = api.app.ledger.writer
            // The form's save waits behind the test's own write.
            let held = try await HeldWriter.hold(writer)
            defer { held.letGo() }
            let signedIn = browser
            let sent = Task {
                var browser = signedIn
                return try await browser.send(.POST, "/admin/locations/\(id)", form: fields)
            }
            while await writer.queuedJobs == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await writer.finish(within: .milliseconds(50))
            try await held.release()
            let refused = try await sent.value
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.body.string.contains("The server is stopping; nothing was written."))
            #expect(refused.body.string.contains("value=\"Mitte Nord\""))
            #expect(try await api.get("/api/v1/locations/\(id)")["name"] as? String == "Mitte")
            let saved = try await browser.send(.POST, "/admin/locations/\(id)", form: fields)
            #expect(saved.body.string.contains("Saved."))
            #expect(try await api.get("/api/v1/locations/\(id)")["name"] as? String == "Mitte Nord")
        }
    }

    @Test func plansAreCreatedAndEdited() async throws {
        try await withFootfall { api in
            let mitte = try await api.location()
            let kreuzberg = try await api.location(["name": "Kreuzberg"])
            _ = try await api.location(["name": "Neukölln"])
            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/plans")
            #expect(page.body.string.contains("Neukölln"))
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))
            let body = "_csrf=\(csrf)&name=Part-time&locationIds[]=\(mitte)&locationIds[]=\(kreuzberg)&accessHours=mon-fri+09%3A00-18%3A00"
                + "&limitPeriod=month&limitHours=40&limitDays=10&overtime=checkout"
            let created = try await browser.send(.POST, "/admin/plans", rawForm: body)
            #expect(created.body.string.contains("Part-time created."))
            let plan = try #require(try await api.get("/api/v1/plans").items.first)
            #expect(Set(plan["locationIds"] as? [String] ?? []) == [mitte, kreuzberg])
            #expect((plan["accessHours"] as? [String: [[String]]])?["wed"] == [["09:00", "18:00"]])
            let limits = plan["limits"] as? [String: Any]
            #expect(limits?["period"] as? String == "month")
            #expect(limits?["hours"] as? Double == 40)
            #expect(limits?["days"] as? Int == 10)
            // The box was not ticked: the limits are only reported.
            #expect(limits?["enforce"] as? Bool == false)
            #expect(plan["overtime"] as? String == "checkout")

            let id = try #require(plan["id"] as? String)
            let edit = try await browser.send(.GET, "/admin/plans/\(id)")
            #expect(edit.body.string.contains("value=\"\(mitte)\" checked"))
            // As a browser sends it: every field, empty ones too; no box ticked.
            let emptied = "_csrf=\(csrf)&name=Part-time&accessHours=&limitPeriod=&limitHours=40&limitDays=&overtime=allow"
            let saved = try await browser.send(.POST, "/admin/plans/\(id)", rawForm: emptied)
            #expect(saved.body.string.contains("Saved."))
            let changed = try await api.get("/api/v1/plans/\(id)")
            #expect(changed["limits"] is NSNull)
            #expect((changed["locationIds"] as? [String])?.isEmpty == true)
            let refused = try await browser.send(.POST, "/admin/plans/\(id)",
                                                 rawForm: emptied.replacingOccurrences(of: "limitPeriod=&limitHours=40", with: "limitPeriod=week&limitHours=-3"))
            #expect(refused.status == .badRequest)
        }
    }

    @Test func aNewDevicesKeyIsShownOnceAndWorks() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            var browser = try await PanelBrowser.signedIn(to: api)
            let csrf = try #require(PanelBrowser.csrf(in: try await browser.send(.GET, "/admin/devices").body.string))
            let fields = ["_csrf": csrf, "name": "Front desk", "locationId": location, "kind": "kiosk", "direction": "toggle", "doors": "",
                          "nasIdentifier": "", "nasIp": ""]
            let created = try await browser.send(.POST, "/admin/devices", form: fields)
            #expect(created.status == .ok)
            let html = created.body.string
            let id = try #require(between(html, "<code id=\"device-id\">", "</code>"))
            let key = try #require(between(html, "<code id=\"device-key\">", "</code>"))
            #expect(html.contains("/kiosk#device=\(id)&amp;key=\(key)"))
            // The key works for that device's events, and no page shows it again.
            _ = try await api.member(card: "01026F6C3A")
            let event = try await TestDevice(id: id, key: key, api: api).send("card", "01026F6C3A")
            #expect(event.result == "checked_in")
            #expect(!(try await browser.send(.GET, "/admin/devices").body.string.contains(key)))
            #expect(!(try await browser.send(.GET, "/admin/devices/\(id)").body.string.contains(key)))

            let door = try await browser.send(.POST, "/admin/devices", form: fields.merging(["name": "Doors", "kind": "door",
                                                                                             "doors": "front in\nback  out"]) { $1 })
            let doorId = try #require(between(door.body.string, "<code id=\"device-id\">", "</code>"))
            #expect((try await api.get("/api/v1/devices/\(doorId)")["doors"] as? [String: String]) == ["front": "in", "back": "out"])

            let saved = try await browser.send(.POST, "/admin/devices/\(id)", form: fields.merging(["name": "Entrance", "direction": "in"]) { $1 })
            #expect(saved.body.string.contains("Saved."))
            let device = try await api.get("/api/v1/devices/\(id)")
            #expect(device.string("name") == "Entrance")
            #expect(device.string("direction") == "in")
            let refused = try await browser.send(.POST, "/admin/devices", form: fields.merging(["kind": "wifi", "nasIp": "not an address"]) { $1 })
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("IPv4 or IPv6"))
            #expect(try await api.get("/api/v1/devices").items.count == 2)
        }
    }

    @Test func anUnknownCardIsAssignedToItsHolderFromTheFailedCheckIns() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let ada = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace", "email": "ada@example.com"])
            #expect(try await reader.send("card", "04:A2:2B:61:9C:3D:80").result == "refused")
            // The API shows the last four characters only.
            let failure = try #require(try await api.get("/api/v1/failed-check-ins").items.first)
            #expect(failure["credential"] as? String == "…D:80")
            #expect(!"\(failure)".contains("A22B619C"))

            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/failed")
            #expect(page.body.string.contains("data-assign=\"\(failure["id"] as! String)\""))
            #expect(!page.body.string.contains("A22B619C"))
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))
            let path = "/admin/failed/\(failure["id"] as! String)/assign"
            let nobody = try await browser.send(.POST, path, form: ["_csrf": csrf, "customer": "nobody@example.com"])
            #expect(nobody.status == .badRequest)
            #expect(nobody.body.string.contains("No customer has the email"))

            let assigned = try await browser.send(.POST, path, form: ["_csrf": csrf, "customer": "ADA@example.com"])
            #expect(assigned.status == .ok)
            #expect(assigned.body.string.contains("now belongs to Ada Lovelace"))
            #expect(!assigned.body.string.contains("data-assign="))
            api.clock.advance(by: 60)
            let event = try await reader.send("card", "04A22B619C3D80")
            #expect(event.result == "checked_in")
            #expect(event.customerName == "Ada Lovelace")
            #expect(try await api.get("/api/v1/check-ins?customerId=\(ada)").items.count == 1)
            let again = try await browser.send(.POST, path, form: ["_csrf": csrf, "customer": "ada@example.com"])
            #expect(again.status == .conflict)
        }
    }

    @Test func weeklyHoursReadAsTypedAndWriteBackInRuns() throws {
        let hours = try #require(try WeeklyHoursText.parse("daily 07:00-09:00\n\nsat,sun 10:00-12:00", field: "h"))
        #expect(hours["mon"] == [["07:00", "09:00"]])
        #expect(hours["sun"] == [["07:00", "09:00"], ["10:00", "12:00"]])
        #expect(WeeklyHoursText.format(hours) == "mon-fri 07:00-09:00\nsat-sun 07:00-09:00, 10:00-12:00")
        #expect(try WeeklyHoursText.parse("  \n ", field: "h") == nil)
        for bad in ["monday 08:00-10:00", "fri-mon 08:00-10:00", "mon", "mon 08:00", "mon-tue-wed 08:00-09:00"] {
            #expect(throws: APIError.self, "\(bad)") { try WeeklyHoursText.parse(bad, field: "h") }
        }
    }

    private func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
        return String(text[from.upperBound..<to.lowerBound])
    }
}
