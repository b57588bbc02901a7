@testable import FootfallApp
import Fluent
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Visitor sheets and rates in the admin panel, in a real browser", .timeLimit(.minutes(6)))
struct VisitorSheetBrowserTests {
    /// Pages in a PDF as Chromium writes it: one `/Type /Page` dictionary each (`/Pages` is the tree).
    static func pageCount(_ pdf: Data) -> Int {
        let text = String(decoding: pdf, as: UTF8.self)
        return text.components(separatedBy: "/Type /Page").dropFirst().filter { !$0.hasPrefix("s") }.count
    }

    @Test func aPrintedBatchFitsEightToAPageOnA4AndLetterAndARateIsSet() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            try await AdminUsers.create(email: AdminPanelBrowserTests.email, password: AdminPanelBrowserTests.password, name: "Front Desk", in: api.app)
            _ = try await api.location(["name": "Mitte"])
            let ada = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace"])
            try await api.withServer { port in
                let browser = try await Browser(client: api.app.client, width: 1280, height: 900)
                do {
                    try await AdminPanelBrowserTests().signIn(browser, port: port)
                    try await browser.open("http://127.0.0.1:\(port)/admin/visitors")
                    try await browser.type("Open day", into: "#label")
                    try await browser.clear("#count")
                    try await browser.type("16", into: "#count")
                    try await browser.type("90", into: "#minutes")
                    try await browser.type("Footfall Guest", into: "#network")
                    try await browser.click("form[action='/admin/visitors'] button[type=submit]")
                    _ = try await browser.waitForText(".sheet") { $0.contains("Open day 16") }
                    #expect(try await browser.evaluate("done(document.querySelectorAll('.ticket').length)") as? Int == 16)
                    let first = try await browser.text(".ticket")
                    #expect(first.contains("Wi-Fi: Footfall Guest") && first.contains("Open day 1") && first.contains("90 minutes"), "\(first)")
                    try await browser.screenshot(to: artifactPath("admin-visitor-sheet.png"))

                    // What the card says logs in: its password is the token's.
                    let username = try #require(try await browser.evaluate("done(document.querySelector('.ticket code').textContent)") as? String)
                    let password = try #require(try await browser.evaluate("done(document.querySelectorAll('.ticket code')[1].textContent)") as? String)
                    let token = try #require(try await AccessTokenModel.query(on: api.app.db).filter(\.$username == username).first())
                    #expect(token.passwordHash == SecretToken.digest(password))

                    // Sixteen cards are two pages on A4 and on US Letter.
                    let a4 = try await browser.printPDF(width: 21.0, height: 29.7)
                    let letter = try await browser.printPDF(width: 21.59, height: 27.94)
                    #expect(Self.pageCount(a4) == 2, "A4")
                    #expect(Self.pageCount(letter) == 2, "Letter")
                    try a4.write(to: URL(fileURLWithPath: artifactPath("admin-visitor-sheet-a4.pdf")))

                    // The visitors page lists them, apart from members, with their minutes.
                    try await browser.open("http://127.0.0.1:\(port)/admin/visitors")
                    #expect(try await browser.text("#visitor-tokens").contains("90 of 90"))
                    try await browser.open("http://127.0.0.1:\(port)/admin/customers")
                    #expect(try await !browser.text("#customers").contains("Open day"))

                    // A pay-as-you-go rate on the customer page, typed in euros.
                    try await browser.open("http://127.0.0.1:\(port)/admin/customers/\(ada)")
                    try await browser.type("2,50", into: "#payPrice")
                    try await browser.type("3", into: "#payMinimum")
                    try await browser.click("form[action$='/rate'] button[type=submit]")
                    #expect(try await browser.waitForText("#message") { $0.contains("Rate") } == "Rate saved.")
                    #expect(try await browser.text("main").contains("2.50 EUR per 15 min, at least 3.00 EUR a day"))
                    try await browser.screenshot(to: artifactPath("admin-customer-rate.png"))
                    await browser.close()
                } catch {
                    await browser.close()
                    throw error
                }
            }
            let rate = try #require(try await api.get("/api/v1/customers/\(ada)")["payAsYouGo"] as? [String: Any])
            #expect(rate["price"] as? Int == 250 && rate["dailyMinimum"] as? Int == 300 && rate["increment"] as? Int == 15)
        }
    }
}
