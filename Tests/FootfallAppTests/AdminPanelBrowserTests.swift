@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("The admin panel in a real browser", .timeLimit(.minutes(3)))
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
        try await withFootfall(clock: ManualClock(Date())) { api in
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
}
