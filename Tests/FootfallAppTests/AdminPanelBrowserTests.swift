@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("The admin panel in a real browser", .timeLimit(.minutes(6)))
struct AdminPanelBrowserTests {
    static let email = "desk@example.com", password = "front desk password"

    /// Signs this browser in through the form.
    func signIn(_ browser: Browser, port: Int) async throws {
        try await browser.open("http://127.0.0.1:\(port)/admin")
        try await browser.type(Self.email, into: "#email")
        try await browser.type(Self.password, into: "#password")
        try await browser.click("button[type=submit]")
        try await browser.waitForText("main h1") { $0 == "Who is in" }
    }

    @Test func checkInAppearsLiveCheckOutRefusalAndCSV() async throws {
        try await withFootfall(clock: ManualClock(nowAwayFromCutOff())) { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: "Front Desk", in: api.app)
            let location = try await api.location(["name": "Mitte", "capacity": 30])
            _ = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace"])
            _ = try await api.customer(["name": "Nora Noplan"])
            try await api.withServer { port in
                let watcher = try await Browser(client: api.app.client, width: 1280, height: 900)
                let desk = try await Browser(client: api.app.client, width: 820, height: 1180)
                do {
                    try await signIn(watcher, port: port)
                    try await signIn(desk, port: port)
                    let card = "[data-location=\"\(location)\"]"
                    #expect(try await watcher.text(card).contains("Nobody is in."))
                    try await watcher.screenshot(to: artifactPath("admin-who-is-in-empty-desktop.png"))

                    // At the desk: search as you type, then check Ada in.
                    try await desk.open("http://127.0.0.1:\(port)/admin/check-in")
                    try await desk.type("ada", into: "#q")
                    try await desk.waitForText("#results") { $0.contains("Ada Lovelace") }
                    try await desk.screenshot(to: artifactPath("admin-check-in-tablet.png"))
                    try await desk.click("#results button[type=submit]")
                    #expect(try await desk.waitForText("#message") { $0.contains("checked in") } == "Ada Lovelace is checked in at Mitte.")

                    // The watcher's page shows her without a reload.
                    #expect(try await watcher.waitForText(card) { $0.contains("Ada Lovelace") }.contains("Ada Lovelace"))
                    #expect(try await watcher.text(card).contains("1 of 30 in"))
                    try await watcher.screenshot(to: artifactPath("admin-who-is-in-desktop.png"))
                    try await watcher.resize(width: 820, height: 1180)
                    try await watcher.screenshot(to: artifactPath("admin-who-is-in-tablet.png"))

                    // And checks her out there.
                    api.clock.advance(by: 1800)
                    try await watcher.click("\(card) button[data-check-out]")
                    #expect(try await watcher.waitForText(card) { $0.contains("Nobody is in.") }.contains("Nobody is in."))

                    // A refusal, in words, and on the failed check-ins page.
                    try await desk.open("http://127.0.0.1:\(port)/admin/check-in?q=nora")
                    try await desk.click("#results button[type=submit]")
                    #expect(try await desk.waitForText("#message") { $0.contains("Not checked in") }
                        == "Not checked in: They have no plan or pass valid here today.")
                    try await desk.open("http://127.0.0.1:\(port)/admin/failed")
                    let failed = try await desk.text("#failed")
                    #expect(failed.contains("Nora Noplan"))
                    #expect(failed.contains("They have no plan or pass valid here today."))
                    try await desk.screenshot(to: artifactPath("admin-failed-tablet.png"))

                    // The presence report, and its CSV as the download link gives it.
                    try await desk.open("http://127.0.0.1:\(port)/admin/reports")
                    #expect(try await desk.text("#presence").contains("Ada Lovelace 1 0 h 30 min 1"))
                    try await desk.screenshot(to: artifactPath("admin-reports-tablet.png"))
                    let csv = try #require(try await desk.evaluate(
                        "fetch(document.getElementById('csv').href).then(r => r.text()).then(done)") as? String)
                    let lines = csv.split(separator: "\r\n").map(String.init)
                    #expect(lines.first == "key,label,visits,minutes,uniqueCustomers")
                    #expect(lines.count == 2)
                    #expect(lines.last?.hasSuffix(",Ada Lovelace,1,30,1") == true)
                    try await desk.open("http://127.0.0.1:\(port)/admin/customers")
                    try await desk.click("#customers a")
                    try await desk.waitForText("main h1") { $0 == "Ada Lovelace" }
                    try await desk.screenshot(to: artifactPath("admin-customer-tablet.png"))
                } catch {
                    await watcher.close()
                    await desk.close()
                    throw error
                }
                await watcher.close()
                await desk.close()
            }
        }
    }

    @Test func signInFailsThenSetupPagesReportsAndScreenshotsAtTwoWidths() async throws {
        try await withFootfall(clock: ManualClock(nowAwayFromCutOff())) { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: "Front Desk", in: api.app)
            let mitte = try await api.location(["name": "Mitte", "capacity": 30])
            let ada = try await api.customer(planId: try await api.plan(["name": "Flex", "limits": ["period": "week", "days": 1, "enforce": false] as [String: any Sendable]]),
                                             ["name": "Ada Lovelace"])
            let visit = try await api.checkIn(ada, at: mitte)
            api.clock.advance(by: 5400)
            _ = try await api.post("/api/v1/check-ins/\(visit.id)/check-out")
            try await api.withServer { port in
                let browser = try await Browser(client: api.app.client, width: 1280, height: 900)
                do {
                    let base = "http://127.0.0.1:\(port)"
                    // Signed out, a page sends the browser to sign in; a wrong password says so.
                    try await browser.open("\(base)/admin/reports")
                    try await browser.type(Self.email, into: "#email")
                    try await browser.type("not the password", into: "#password")
                    try await browser.click("button[type=submit]")
                    #expect(try await browser.waitForText(".error") { !$0.isEmpty } == "Wrong email or password.")
                    try await browser.screenshot(to: artifactPath("admin-sign-in-failed-desktop.png"))
                    try await browser.type(Self.password, into: "#password")
                    try await browser.click("button[type=submit]")
                    // …and then back to the page it asked for.
                    #expect(try await browser.waitForText("main h1") { $0 == "Reports" } == "Reports")
                    #expect(try await browser.exists("[data-occupancy=\"\(mitte)\"] .occupancy-chart rect.peak"))
                    #expect(try await browser.exists("[data-occupancy=\"\(mitte)\"] .heat-map rect.heat"))
                    #expect(try await browser.text("#over-limit").isEmpty == false)

                    // A location, typed into the form as an operator would.
                    try await browser.open("\(base)/admin/locations")
                    try await browser.type("Kreuzberg", into: "#name")
                    try await browser.clear("#timeZone")
                    try await browser.type("Europe/Berlin", into: "#timeZone")
                    try await browser.type("12", into: "#capacity")
                    try await browser.type("mon-fri 08:00-20:00", into: "#openingHours")
                    try await browser.click("form.setup button[type=submit]")
                    #expect(try await browser.waitForText("#message") { !$0.isEmpty } == "Kreuzberg created.")
                    #expect(try await browser.text("#locations").contains("mon-fri 08:00-20:00"))

                    // A kiosk: its key is shown once, with the link that enrols a tablet.
                    try await browser.open("\(base)/admin/devices")
                    try await browser.type("Front desk kiosk", into: "#name")
                    try await browser.click("#kind option[value=kiosk]")
                    try await browser.click("form.setup button[type=submit]")
                    let key = try await browser.waitForText("#device-key") { !$0.isEmpty }
                    #expect(key.count >= 32)
                    try await browser.screenshot(to: artifactPath("admin-device-created-desktop.png"))
                    try await browser.click("#enrol-link")
                    #expect(try await browser.waitForText("#pad") { !$0.isEmpty }.isEmpty == false)

                    // Every page at desktop and tablet widths, to look at.
                    let pages = ["who-is-in": "/admin", "check-in": "/admin/check-in?q=ada", "customers": "/admin/customers",
                                 "customer": "/admin/customers/\(ada)", "failed": "/admin/failed", "reports": "/admin/reports",
                                 "locations": "/admin/locations", "location": "/admin/locations/\(mitte)", "plans": "/admin/plans",
                                 "devices": "/admin/devices"]
                    for (width, height, name) in [(1280, 900, "desktop"), (820, 1180, "tablet")] {
                        try await browser.resize(width: width, height: height)
                        for (page, path) in pages {
                            try await browser.open(base + path)
                            try await browser.waitForText("main h1") { !$0.isEmpty }
                            try await browser.screenshot(to: artifactPath("admin-page-\(page)-\(name).png"))
                        }
                    }
                } catch {
                    await browser.close()
                    throw error
                }
                await browser.close()
            }
        }
    }
}
