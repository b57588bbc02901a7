import Fluent
@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Import: customers from another system, all or nothing")
struct ImportTests {
    static let header = "name,email,kind,plan,active,pin,cards,externalIds,passes\r\n"

    static func fixture(_ name: String, filePath: String = #filePath) throws -> String {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func upload(_ api: API, _ csv: String, dryRun: Bool = false) async throws -> Reply {
        try await api.request(.POST, "/api/v1/imports/customers" + (dryRun ? "?dryRun=true" : ""),
                              headers: adminHeaders.adding(contentType: "text/csv"), rawBody: csv)
    }

    /// The plans the fixture names.
    static func plans(_ api: API) async throws {
        for name in ["Flex 10", "Unlimited", "Weekend"] { _ = try await api.plan(["name": name]) }
    }

    @Test func twoHundredCustomersComeInAndCheckInByCardPinAndPass() async throws {
        let csv = try Self.fixture("customers-200.csv")
        try await withFootfall(clock: ManualClock(at("2026-12-01T09:00:00Z"))) { api in
            let location = try await api.location(["name": "Mitte", "timeZone": "UTC"])
            try await Self.plans(api)

            let dry = try await Self.upload(api, csv, dryRun: true)
            #expect(dry.status == .ok, "\(dry.body)")
            #expect(dry["created"] as? Int == 200)
            #expect(try await api.get("/api/v1/customers?limit=10").items.isEmpty, "a dry run writes nothing")

            let first = try await Self.upload(api, csv)
            #expect(first.status == .ok, "\(first.body)")
            #expect(first["created"] as? Int == 200 && first["updated"] as? Int == 0 && first["unchanged"] as? Int == 0, "\(first.body)")
            let again = try await Self.upload(api, csv)
            #expect(again["created"] as? Int == 0 && again["updated"] as? Int == 0 && again["unchanged"] as? Int == 200, "\(again.body)")

            // The customers check in with what the file gave them.
            let rows = csv.split(separator: "\r\n").dropFirst().map(String.init)
            let reader = try await api.device(at: location, direction: "in")
            let kiosk = try await api.device(at: location, kind: "kiosk", direction: "in")
            #expect(try await reader.send("card", "04:00:5A:3C:10:00:00").result == "checked_in")  // line 2, hex, Flex 10
            #expect(try await reader.send("card", "2685403393").result == "checked_in")  // line 3, decimal
            #expect(try await reader.send("card", "12,1194").result == "checked_in")  // line 4, Wiegand 26
            let pinRow = try #require(rows.first { $0.hasPrefix("Linus Lamport,") })
            let pinReply = try await kiosk.send("pin", pinRow.split(separator: ",", omittingEmptySubsequences: false)[5].description)
            #expect(pinReply.result == "checked_in", "\(pinReply.body)")
            // No plan, a day pass for 2026-12-01: admitted by the pass today.
            let passHolder = try #require(try await api.get("/api/v1/customers?q=katherine.spaerckjones.3%40example.org").items.first?["id"] as? String)
            let visit = try await api.checkIn(passHolder, at: location)
            #expect(visit.status == .created, "\(visit.body)")
            #expect((visit["admittedBy"] as? [String: Any])?["pass"] != nil, "\(visit.body)")
            // Quoted cells came in whole: a comma, and quotes.
            #expect(try await api.get("/api/v1/customers?q=hamilton.5").items.first?["name"] as? String == "Hamilton, Margaret")
            #expect(try await api.get("/api/v1/customers?q=clarke.7").items.first?["name"] as? String == "Barbara \"Cla\" Clarke")
        }
    }

    @Test func eightBadLinesGiveEightErrorsAndWriteNothing() async throws {
        try await withFootfall { api in
            try await Self.plans(api)
            let taken = try await api.customer(["name": "Has A Card", "email": "taken@example.org"])
            #expect(try await api.post("/api/v1/customers/\(taken)/cards", ["number": "04A22B619C3D80"]).status == .created)
            #expect(try await api.request(.PUT, "/api/v1/customers/\(taken)/pin", ["pin": "4821"]).status == .noContent)
            let csv = Self.header + [
                "Good One,good@example.org,,Flex 10,,,,,",                      // 2: fine
                "No Plan,noplan@example.org,,Gold,,,,,",                        // 3: unknown_plan
                "Twice,good@example.org,,,,,,,",                                // 4: duplicate_email
                "Their Card,their@example.org,,,,,9C3D80,,",                    // 5: card_in_use (another customer's, as a reader reports it)
                "Same Card A,samea@example.org,,,,,0A0B0C0D,,",                 // 6: fine
                "Same Card B,sameb@example.org,,,,,0a:0b:0c:0d,,",              // 7: card_in_use (line 6's)
                "Their Pin,pin@example.org,,,,4821,,,",                         // 8: pin_in_use
                "Short Pin,short@example.org,,,,12,,,",                         // 9: invalid_pin
                "Bad Pass,pass@example.org,,,,,,,week:3",                       // 10: invalid_pass
                "Bad Active,active@example.org,,,maybe,,,,",                    // 11: invalid_active
            ].joined(separator: "\r\n") + "\r\n"
            let before = try await api.get("/api/v1/customers?limit=100").items.count
            for dryRun in [true, false] {
                let reply = try await Self.upload(api, csv, dryRun: dryRun)
                #expect(reply.status == .unprocessableEntity)
                #expect(reply.code == "invalid_import")
                let errors = (reply["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0) \($0["column"] as? String ?? "") \($0["code"] as? String ?? "")" }
                #expect(errors == ["3 plan unknown_plan", "4 email duplicate_email", "5 cards card_in_use", "7 cards card_in_use",
                                   "8 pin pin_in_use", "9 pin invalid_pin", "10 passes invalid_pass", "11 active invalid_active"], "\(reply.body)")
                let active = (reply["errors"] as? [[String: Any]])?.last?["detail"] as? String
                #expect(active == "maybe is not true or false.", "the value as written, not an optional's description")
            }
            #expect(try await api.get("/api/v1/customers?limit=100").items.count == before, "nothing written")
        }
    }

    /// Columns a file leaves out leave existing customers' values alone; broken lines are
    /// reported, not read as if they fitted; a card in full-width digits is no card (it used to
    /// trap); a date that does not exist is no pass date.
    @Test func missingColumnsKeepWhatIsThereAndBrokenLinesAreReported() async throws {
        try await withFootfall { api in
            try await Self.plans(api)
            let flex = try #require(try await api.get("/api/v1/plans").items.first { $0["name"] as? String == "Flex 10" }?["id"] as? String)
            let ada = try await api.customer(planId: flex, ["name": "Ada Lovelace", "email": "ada@example.org", "active": false])
            let kept = try await Self.upload(api, "name,email\r\nAda Lovelace,ada@example.org\r\n")
            #expect(kept["unchanged"] as? Int == 1, "\(kept.body)")
            let customer = try await api.get("/api/v1/customers/\(ada)")
            #expect(customer["planId"] as? String == flex && customer["active"] as? Bool == false)

            let broken = Self.header + [
                "Short,short@example.org,,",                                          // 2: wrong_cell_count
                "Wide,wide@example.org,,,,,,,,extra",                                 // 3: wrong_cell_count
                "Full Width,full@example.org,,,,,１２３４,,",                           // 4: invalid_card
                "No Such Day,day@example.org,,,,,,,day@2026-02-31",                   // 5: invalid_pass
                "Line,\"line@example.org\r\nbreak\",,,,,,,",                          // 6: line_break in a quoted cell
                "\"Open,open@example.org,,,,,,,\r\nNext,next@example.org,,,,,,,",     // 7 (a record; the line break above made it the file's 8th line): an open quote takes the rest, one cell
            ].joined(separator: "\r\n") + "\r\n"
            let reply = try await Self.upload(api, broken)
            let codes = (reply["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0) \($0["code"] as? String ?? "")" }
            #expect(codes == ["2 wrong_cell_count", "3 wrong_cell_count", "4 invalid_card", "5 invalid_pass", "6 line_break", "7 wrong_cell_count"],
                    "\(reply.body)")
            let twice = try await Self.upload(api, "name,email,email\r\nA,a@example.org,b@example.org\r\n")
            #expect((twice["errors"] as? [[String: Any]])?.first?["code"] as? String == "duplicate_column")
            // The same full-width number through the API's card registration: refused, and the server lives.
            #expect(try await api.post("/api/v1/customers/\(ada)/cards", ["number": "１２"]).status == .badRequest)
            #expect(try await api.get("/healthz").status == .ok)
        }
    }

    @Test func aHeaderWithoutTheNeededColumnsOrWithUnknownOnesIsRefused() async throws {
        try await withFootfall { api in
            let reply = try await Self.upload(api, "name,mail\r\nAda,ada@example.org\r\n")
            #expect(reply.status == .unprocessableEntity)
            let codes = (reply["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0) \($0["code"] as? String ?? "")" }
            #expect(codes == ["1 unknown_column", "1 missing_column"], "\(reply.body)")
            #expect(try await api.request(.POST, "/api/v1/imports/customers", ["name": "json"]).status == .unsupportedMediaType)
        }
    }

    /// Export, import into a fresh database: the same customers, cards and passes.
    @Test func anExportImportsIntoAFreshDatabaseAsItWas() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("footfall-roundtrip-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var original: [String] = []
        try await withFootfall(clock: ManualClock(at("2026-12-01T09:00:00Z"))) { api in
            _ = try await api.location(["name": "Mitte", "timeZone": "UTC"])
            try await Self.plans(api)
            #expect(try await Self.upload(api, try Self.fixture("customers-200.csv")).status == .ok)
            // One made through the API as well, with a name a spreadsheet would take as a formula.
            let formula = try await api.customer(["name": "=HYPERLINK(\"x\")", "email": "formula@example.org"])
            #expect(try await api.post("/api/v1/customers/\(formula)/cards", ["number": "7788"]).status == .created)
            original = try await Self.snapshot(api)
            try await FolderExport.write(to: folder, from: api.app)
        }
        try await withFootfall(clock: ManualClock(at("2026-12-01T09:00:00Z"))) { api in
            _ = try await api.location(["name": "Mitte", "timeZone": "UTC"])
            try await Self.plans(api)
            let csv = try String(contentsOfFile: folder + "/customers.csv", encoding: .utf8)
            let reply = try await Self.upload(api, csv)
            #expect(reply["created"] as? Int == 201, "\(reply.body)")
            let restored = try await Self.snapshot(api)
            #expect(restored == original, "\(zip(restored, original).first { $0 != $1 }.map { "now \($0)\n  was \($1)" } ?? "counts \(restored.count) \(original.count)")")
        }
    }

    /// Every customer with plan, state, cards, external ids and passes, as text (ids differ).
    static func snapshot(_ api: API) async throws -> [String] {
        let db = api.app.db
        let plans = try await PlanModel.query(on: db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        var lines: [String] = []
        for customer in try await CustomerModel.query(on: db).all() {
            let id = customer.id!
            let cards = try await CardModel.query(on: db).filter(\.$customerId == id).all().map(\.normalized).sorted()
            let external = try await ExternalIdModel.query(on: db).filter(\.$customerId == id).all().map { "\($0.system):\($0.externalId)" }.sorted()
            let passes = try await PassModel.query(on: db).filter(\.$customerId == id).all()
                .map { "\($0.kind) \($0.minutes ?? 0) \($0.validFrom.map(RFC3339.format) ?? "-")-\($0.validUntil.map(RFC3339.format) ?? "-")" }.sorted()
            lines.append("\(customer.email) \(customer.name) \(customer.planId.flatMap { plans[$0] } ?? "-") \(customer.active) \(cards) \(external) \(passes)")
        }
        return lines.sorted()
    }

    /// The admin panel's upload: the bad lines in a table, nothing written; then a good file.
    @Test func theAdminPanelUploadShowsBadLinesByLine() async throws {
        try await withFootfall { api in
            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/customers")
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))
            func upload(_ csv: String, token: String? = nil) async throws -> TestingHTTPResponse {
                let boundary = "----footfall\(UUID().uuidString)"
                var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token ?? csrf)\r\n"
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"customers.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
                body += "--\(boundary)--\r\n"
                var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
                headers.add(name: .cookie, value: browser.cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
                return try await api.app.testing().sendRequest(.POST, "/admin/customers/import", headers: headers, body: ByteBuffer(string: body))
            }
            let bad = try await upload(Self.header + "Ada,ada@example.org,,Gold,,,,,\r\nNo Email,,,,,,,,\r\n")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Nothing was imported: 2 bad lines."))
            #expect(bad.body.string.contains("<td>2</td><td>plan</td><td>There is no plan called Gold.</td>"), "\(bad.body.string)")
            #expect(bad.body.string.contains("<td>3</td><td>email</td>"))
            #expect(try await api.get("/api/v1/customers").items.isEmpty)
            // Without the page's token: refused, nothing written.
            #expect(try await upload(Self.header + "Ada Lovelace,ada@example.org,,,,,,,\r\n", token: "forged").status == .forbidden)
            #expect(try await api.get("/api/v1/customers").items.isEmpty)
            let good = try await upload(Self.header + "Ada Lovelace,ada@example.org,,,,,,,\r\n")
            #expect(good.status == .ok)
            #expect(good.body.string.contains("Imported: created 1, updated 0, unchanged 0."))
        }
    }
}

private extension HTTPHeaders {
    func adding(contentType: String) -> HTTPHeaders {
        var headers = self
        headers.replaceOrAdd(name: .contentType, value: contentType)
        return headers
    }
}
