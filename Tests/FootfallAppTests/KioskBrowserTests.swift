@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import TestSupport
import VaporTesting

@Suite("Kiosk and member pages in a real browser", .timeLimit(.minutes(6)))
struct KioskBrowserTests {
    @Test func pinCardAndWrongPinAtTheKiosk() async throws {
        try await withFootfall(clock: ManualClock(nowAwayFromCutOff())) { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            let customer = try await api.member(card: "04:A2:2B:61:9C:3D:80", pin: "4821")
            try await api.withBrowser(width: 820, height: 1180) { port, browser in
                try await browser.open("http://127.0.0.1:\(port)/kiosk#device=\(kiosk.id)&key=\(kiosk.key)")
                for digit in "4821" { try await browser.click("[data-digit=\"\(digit)\"]") }
                try await browser.click("#ok")
                let welcome = try await browser.waitForText("#message") { $0.contains("Welcome") }
                #expect(welcome == "Welcome, Ada Lovelace")
                try await browser.screenshot(to: artifactPath("kiosk-tablet-welcome.png"))

                // A USB reader acting as a keyboard: the card number, then Enter, into the focused input.
                api.clock.advance(by: 60)
                try await browser.type("04A22B619C3D80\u{E007}", into: "#scan")
                let goodbye = try await browser.waitForText("#message") { $0.contains("Goodbye") }
                #expect(goodbye == "Goodbye, Ada Lovelace")

                // The next person types while the goodbye still shows: it goes at the first digit,
                // and its reset, due five seconds after it appeared, leaves their digits alone.
                try await browser.click("[data-digit=\"1\"]")
                #expect(try await browser.text("#message") == "")
                try await Task.sleep(for: .seconds(5.5))
                for digit in "234" { try await browser.click("[data-digit=\"\(digit)\"]") }
                #expect(try await browser.text("#pin-display") == "••••")
                try await browser.click("#ok")
                let refused = try await browser.waitForText("#message") { $0.contains("recognise") }
                #expect(refused == "We don't recognise that PIN, card or code.")
                try await browser.screenshot(to: artifactPath("kiosk-tablet-refused.png"))

                try await browser.resize(width: 390, height: 844)
                try await browser.waitForText("#message", seconds: 8) { $0.isEmpty }
                try await browser.screenshot(to: artifactPath("kiosk-phone.png"))

                let visits = try await api.get("/api/v1/check-ins?customerId=\(customer)").items
                #expect(visits.count == 1)
                #expect(visits.first?["method"] as? String == "kiosk_pin")
                #expect(visits.first?["checkOutMethod"] as? String == "rfid")
            }
        }
    }

    /// The member page on a phone, photographed by the browser and read by zbar.
    @Test func memberPageShowsAScannableCode() async throws {
        try await withFootfall(clock: ManualClock(nowAwayFromCutOff())) { api in
            let customer = try await api.customer()
            let link = try #require(try await api.get("/api/v1/customers/\(customer)/member-link").string("url"))
            try await api.withBrowser(width: 390, height: 844) { port, browser in
                let path = try #require(URL(string: link)?.path)
                try await browser.open("http://127.0.0.1:\(port)\(path)")
                let screenshot = artifactPath("member-phone.png")
                try await browser.screenshot(to: screenshot)
                let decoded = try await runTool("/usr/bin/zbarimg", ["--quiet", "--raw", screenshot]).trimmingCharacters(in: .whitespacesAndNewlines)
                let code = try #require(MemberCode(decoded), "decoded \(decoded)")
                #expect(code.customerId.uuidString == customer.uppercased())
            }
        }
    }
}

extension API {
    /// Serves the app on a free loopback port and opens a headless Chromium for the body;
    /// both are closed again afterwards, whatever the body does.
    func withBrowser(width: Int, height: Int, _ body: (Int, Browser) async throws -> Void) async throws {
        try await withServer { port in
            let browser = try await Browser(client: app.client, width: width, height: height)
            do {
                try await body(port, browser)
            } catch {
                await browser.close()
                throw error
            }
            await browser.close()
        }
    }
}
