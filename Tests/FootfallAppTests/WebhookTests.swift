@testable import FootfallApp
import FootfallCore
import Foundation
import NIOCore
import TestSupport
import Testing
import VaporTesting

/// A webhook endpoint run by Python: each delivery checked by the `standardwebhooks` package.
final class WebhookReceiver: @unchecked Sendable {
    private let process: Process
    /// Its standard input: closing it (here, or by this process ending) ends the receiver.
    private let input = Pipe()
    let port: Int
    private let client: any Client

    init(secret: String, client: any Client) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/webhook_receiver.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, secret]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = try await offThePool { () -> String in
            var text = ""
            while !text.hasSuffix("\n") {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty { break }
                text += String(decoding: byte, as: UTF8.self)
            }
            return text
        }
        port = try #require(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)), "the receiver did not start: \(line)")
        self.client = client
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// The next answers (statuses), and a stall before the next one.
    func plan(_ answers: [Int], stall: Int = 0) async throws {
        _ = try await client.post(URI(string: "http://127.0.0.1:\(port)/plan")) { request in
            try request.content.encode(Plan(answers: answers, stall: stall))
        }
    }

    private struct Plan: Content { var answers: [Int]; var stall: Int }

    struct Delivery {
        var id: String
        var type: String
        var verified: Bool
        var error: String?
        var body: [String: Any]
        var data: [String: Any] { body["data"] as? [String: Any] ?? [:] }
    }

    var received: [Delivery] {
        get async throws {
            let response = try await client.get(URI(string: "http://127.0.0.1:\(port)/received"))
            let list = try JSONSerialization.jsonObject(with: Data(buffer: response.body ?? ByteBuffer())) as? [[String: Any]] ?? []
            return list.map { item in
                let body = (item["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
                return Delivery(id: item["id"] as? String ?? "", type: item["type"] as? String ?? "", verified: item["verified"] as? Bool ?? false,
                                error: item["error"] as? String, body: body)
            }
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
    }

    deinit { stop() }
}

extension API {
    /// Subscribes a receiver that verifies with the secret the server hands out (or another).
    func subscribe(_ events: [String], locationIds: [String]? = nil, wrongSecret: Bool = false)
        async throws -> (webhook: String, receiver: WebhookReceiver) {
        var body: [String: any Sendable] = ["url": "http://127.0.0.1:9/placeholder", "events": events]
        if let locationIds { body["locationIds"] = locationIds }
        let created = try await post("/api/v1/webhooks", body)
        #expect(created.status == .created, "\(created.body)")
        let secret = try #require(created.string("secret"))
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        let receiver = try await WebhookReceiver(secret: wrongSecret ? StandardWebhooks.makeSecret() : secret, client: app.client)
        #expect(try await patch("/api/v1/webhooks/\(created.id)", ["url": receiver.url]).status == .ok)
        return (created.id, receiver)
    }

    func deliveries(_ webhook: String) async throws -> [[String: Any]] { try await get("/api/v1/webhooks/\(webhook)/deliveries").items }

    @discardableResult
    func deliver() async throws -> Int { try await app.webhookDeliverer.deliverDue() }
}

@Suite("Outbound webhooks, checked by a receiver that verifies with the standardwebhooks package", .timeLimit(.minutes(6)))
struct WebhookTests {
    @Test func checkInsCheckOutsAndRefusalsArriveSignedWithTheirCustomer() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            // The clock is the real one (receivers check the timestamp): the location's daily
            // cut-off is put half a day away, so that no visit closes at it while this runs.
            let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: api.clock.now()).hour!
            let location = try await api.location(["timeZone": "UTC", "cutoffTime": String(format: "%02d:00", (hour + 12) % 24)])
            let ada = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace"])
            let nora = try await api.customer(["name": "Nora Noplan"])
            let (webhook, receiver) = try await api.subscribe(["check_in", "check_out", "failed_check_in"])
            defer { receiver.stop() }
            let visit = try await api.checkIn(ada, at: location)
            api.clock.advance(by: 60)
            #expect(try await api.post("/api/v1/check-ins/\(visit.id)/check-out").status == .ok)
            #expect(try await api.checkIn(nora, at: location).status == .unprocessableEntity)
            #expect(try await api.deliver() == 3)

            let received = try await receiver.received
            #expect(received.map(\.type) == ["check_in", "check_out", "failed_check_in"])
            #expect(received.allSatisfy { $0.verified }, "\(received.map(\.error))")
            #expect(received[0].data["id"] as? String == visit.id)
            #expect((received[0].data["customer"] as? [String: String])?["name"] == "Ada Lovelace")
            #expect(received[1].data["checkOutMethod"] as? String == "admin")
            #expect(received[2].data["reason"] as? String == "no_valid_pass")
            #expect((received[2].data["customer"] as? [String: String])?["name"] == "Nora Noplan")
            #expect(Set(received.map(\.id)).count == 3 && received.allSatisfy { $0.id.hasPrefix("msg_") })

            let deliveries = try await api.deliveries(webhook)
            #expect(deliveries.count == 3)
            #expect(deliveries.allSatisfy { $0["status"] as? String == "delivered" && $0["attempts"] as? Int == 1 && $0["lastResponseStatus"] as? Int == 200 })
            #expect(Set(deliveries.compactMap { $0["webhookId"] as? String }) == Set(received.map(\.id)))
            // The secret is shown once.
            #expect(try await api.get("/api/v1/webhooks/\(webhook)").json["secret"] == nil)
        }
    }

    @Test func aSubscriptionForOneLocationHearsOnlyOfIt() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let mitte = try await api.location()
            let kreuzberg = try await api.location(["name": "Kreuzberg"])
            let plan = try await api.plan()
            let (_, receiver) = try await api.subscribe(["check_in"], locationIds: [kreuzberg])
            defer { receiver.stop() }
            _ = try await api.checkIn(try await api.customer(planId: plan), at: mitte)
            _ = try await api.checkIn(try await api.customer(planId: plan), at: kreuzberg)
            try await api.deliver()
            #expect(try await receiver.received.map { $0.data["locationId"] as? String } == [kreuzberg])
        }
    }

    @Test func aFailedDeliveryIsTriedAgainWithTheSameIdAndTheScheduleOfTheAPI() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let (webhook, receiver) = try await api.subscribe(["check_in"])
            defer { receiver.stop() }
            try await receiver.plan([500, 503, 500, 500, 500, 500, 500, 500])
            _ = try await api.checkIn(try await api.customer(planId: try await api.plan()), at: location)
            let start = api.clock.now()
            try await api.deliver()
            var delivery = try #require(try await api.deliveries(webhook).first)
            #expect(delivery["status"] as? String == "pending" && delivery["attempts"] as? Int == 1 && delivery["lastResponseStatus"] as? Int == 500)
            // Not due yet: nothing is sent.
            api.clock.advance(by: 4)
            #expect(try await api.deliver() == 0)
            // After the first try: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then failed.
            var elapsed: TimeInterval = 0
            for (attempt, delay) in WebhookDeliverer.retryDelays.enumerated() {
                elapsed += delay
                #expect(delivery["nextAttemptAt"] as? String == RFC3339.format(start + elapsed), "before try \(attempt + 2)")
                api.clock.set(start + elapsed)
                #expect(try await api.deliver() == 1)
                delivery = try #require(try await api.deliveries(webhook).first)
                #expect(delivery["attempts"] as? Int == attempt + 2)
            }
            #expect(delivery["status"] as? String == "failed" && delivery["nextAttemptAt"] is NSNull)
            let received = try await receiver.received
            #expect(received.count == 8 && Set(received.map(\.id)).count == 1, "the same webhook-id on every try")
            #expect(received.allSatisfy { $0.verified })
            // By hand: sent again now, and taken this time.
            let id = try #require(delivery["id"] as? String)
            #expect(try await api.post("/api/v1/webhooks/\(webhook)/deliveries/\(id)/redeliver").status == .accepted)
            try await api.deliver()
            delivery = try #require(try await api.deliveries(webhook).first)
            #expect(delivery["status"] as? String == "delivered" && delivery["lastResponseStatus"] as? Int == 200)
            #expect(try await receiver.received.count == 9)
        }
    }

    @Test func aGoneEndpointIsSwitchedOffUntilSwitchedOnAgain() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let plan = try await api.plan()
            let (webhook, receiver) = try await api.subscribe(["check_in"])
            defer { receiver.stop() }
            try await receiver.plan([410])
            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            try await api.deliver()
            #expect(try await api.get("/api/v1/webhooks/\(webhook)").json["active"] as? Bool == false)
            #expect(try await api.deliveries(webhook).first?["status"] as? String == "failed")
            // Switched off: later events wait (none are written for an inactive endpoint).
            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            try await api.deliver()
            #expect(try await receiver.received.count == 1)
            #expect(try await api.patch("/api/v1/webhooks/\(webhook)", ["active": true]).json["active"] as? Bool == true)
            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            try await api.deliver()
            let after = try await api.deliveries(webhook)
            #expect(try await receiver.received.count == 2, "\(after)")
        }
    }

    @Test func anEndpointThatDoesNotAnswerIsGivenTenSecondsThenTriedAgain() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let (webhook, receiver) = try await api.subscribe(["check_in"])
            defer { receiver.stop() }
            try await receiver.plan([], stall: 45)
            _ = try await api.checkIn(try await api.customer(planId: try await api.plan()), at: location)
            let started = ContinuousClock.now
            try await api.deliver()
            // It gives up after 10 s, well before the endpoint's 45 s (a loaded machine adds some).
            #expect(ContinuousClock.now - started < .seconds(35), "it stopped waiting after 10 s")
            let delivery = try #require(try await api.deliveries(webhook).first)
            #expect(delivery["status"] as? String == "pending" && delivery["lastResponseStatus"] is NSNull)
            #expect((delivery["lastError"] as? String)?.contains("10 s") == true, "\(delivery)")
            api.clock.advance(by: 5)
            try await api.deliver()
            #expect(try await api.deliveries(webhook).first?["status"] as? String == "delivered")
        }
    }

    /// While one endpoint keeps its server waiting, another is sent what comes due meanwhile;
    /// no second server sends to the endpoint the first holds (which would break its order); and
    /// the slow one, once it answers again, gets its deliveries in the order of their events.
    @Test func aSlowEndpointHoldsUpNoOtherAndIsOneServersAtATime() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let (slowWebhook, slow) = try await api.subscribe(["check_in"])
            let (_, quick) = try await api.subscribe(["check_in"])
            defer { slow.stop(); quick.stop() }
            try await slow.plan([], stall: 45)
            let plan = try await api.plan()
            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            // A deliverer that waits 15 s for an answer (the most it may), not 10: everything below
            // must happen while the slow endpoint still stalls, and a machine busy with the rest of
            // the suite has taken most of 10 s for it.
            let app = api.app
            func deliverer(timeout: TimeAmount = WebhookDeliverer.timeout) -> WebhookDeliverer {
                WebhookDeliverer(database: app.db, writer: app.ledger.writer, clock: api.clock, logger: app.logger, metrics: app.ledger.metrics,
                                 outbox: app.ledger.outbox, eventLoopGroup: app.eventLoopGroup, timeout: timeout)
            }
            let patient = deliverer(timeout: .seconds(15))
            let sending = Task { try await patient.deliverDue() }
            try await Self.waitUntil("the quick endpoint has the first check-in") { try await quick.received.count == 1 }

            _ = try await api.checkIn(try await api.customer(planId: plan), at: location)
            try await Self.waitUntil("the quick endpoint has the second check-in while the slow one still stalls", within: .seconds(12)) {
                try await quick.received.count == 2
            }
            #expect(try await slow.received.count == 1, "the slow endpoint is still answering the first")

            // Another server sharing the database finds the slow endpoint's second delivery due,
            // and leaves it to the server sending to that endpoint.
            let other = deliverer()
            let triesByTheOther = try await other.deliverDue()
            try await other.client.shutdown()
            #expect(triesByTheOther == 0)

            // After its 15 s the try is recorded, and the endpoint is left alone for 5 s; then it
            // gets the first check-in again and the second, in that order.
            _ = try await sending.value
            try await patient.client.shutdown()
            #expect(try await slow.received.count == 1)
            api.clock.advance(by: 5)
            try await api.deliver()
            let got = try await slow.received
            #expect(got.count == 3)
            #expect(got.count == 3 && got[1].id == got[0].id && got[2].id != got[0].id, "\(got.map(\.id))")
            let deliveries = try await api.deliveries(slowWebhook)
            #expect(deliveries.compactMap { $0["status"] as? String } == ["delivered", "delivered"], "\(deliveries)")
        }
    }

    static func waitUntil(_ what: String, within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let started = ContinuousClock.now
        while try await !condition() {
            guard ContinuousClock.now - started < limit else {
                Issue.record("not within \(limit): \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aReceiverWithAnotherSecretRefusesEveryDelivery() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let (webhook, receiver) = try await api.subscribe(["check_in"], wrongSecret: true)
            defer { receiver.stop() }
            _ = try await api.checkIn(try await api.customer(planId: try await api.plan()), at: location)
            try await api.deliver()
            let received = try await receiver.received
            #expect(received.count == 1 && !received[0].verified, "the library's check is real: \(received.map(\.error))")
            #expect(try await api.deliveries(webhook).first?["lastResponseStatus"] as? Int == 401)
        }
    }

    @Test func aPingAndBadSubscriptions() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let (webhook, receiver) = try await api.subscribe(["charge"])
            defer { receiver.stop() }
            #expect(try await api.post("/api/v1/webhooks/\(webhook)/ping").status == .accepted)
            try await api.deliver()
            let ping = try #require(try await receiver.received.first)
            #expect(ping.type == "ping" && ping.verified && ping.data["webhookId"] as? String == webhook)
            for body in [["url": "ftp://example.com/x", "events": ["check_in"]], ["url": "http://example.com/x", "events": [String]()],
                         ["url": "http://example.com/x", "events": ["visit"]], ["events": ["check_in"]],
                         ["url": "http://example.com/x", "events": ["check_in"], "locationIds": [UUID().uuidString]]] as [[String: any Sendable]] {
                let reply = try await api.post("/api/v1/webhooks", body)
                #expect(reply.status == .badRequest && reply.code == "invalid_request", "\(body): \(reply.body)")
            }
            #expect(try await api.delete("/api/v1/webhooks/\(webhook)").status == .noContent)
            #expect(try await api.get("/api/v1/webhooks").items.isEmpty)
        }
    }
}

@Suite("Webhooks in the admin panel")
struct AdminWebhookPagesTests {
    @Test func anEndpointIsSubscribedSwitchedOffPingedAndADeliverySentAgain() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let mitte = try await api.location()
            var browser = try await PanelBrowser.signedIn(to: api)
            let csrf = try #require(PanelBrowser.csrf(in: try await browser.send(.GET, "/admin/webhooks").body.string))
            let receiver = try await WebhookReceiver(secret: StandardWebhooks.makeSecret(), client: api.app.client)
            defer { receiver.stop() }
            let form = "_csrf=\(csrf)&url=\(receiver.url.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                + "&events[]=check_in&events[]=charge&locationIds[]=\(mitte)&description=Billing"
            let created = try await browser.send(.POST, "/admin/webhooks", rawForm: form)
            #expect(created.status == .created)
            #expect(created.body.string.contains("shown this once: whsec_"))
            let hook = try #require(try await api.get("/api/v1/webhooks").items.first)
            #expect(hook["events"] as? [String] == ["charge", "check_in"] && hook["locationIds"] as? [String] == [mitte])
            let id = try #require(hook["id"] as? String)

            let off = try await browser.send(.POST, "/admin/webhooks/\(id)/active", form: ["_csrf": csrf, "active": "false"])
            #expect(off.body.string.contains("Switched off."))
            #expect(try await api.get("/api/v1/webhooks/\(id)").json["active"] as? Bool == false)
            _ = try await browser.send(.POST, "/admin/webhooks/\(id)/active", form: ["_csrf": csrf, "active": "true"])

            let pinged = try await browser.send(.POST, "/admin/webhooks/\(id)/ping", form: ["_csrf": csrf])
            #expect(pinged.body.string.contains("Ping queued."))
            try await api.deliver()
            // The receiver has another secret: it refuses, and the page shows the answer.
            let page = try await browser.send(.GET, "/admin/webhooks/\(id)").body.string
            #expect(page.contains("ping") && page.contains("401") && page.contains("Send again"))
            let delivery = try #require(try await api.deliveries(id).first?["id"] as? String)
            let again = try await browser.send(.POST, "/admin/webhooks/\(id)/deliveries/\(delivery)/redeliver", form: ["_csrf": csrf])
            #expect(again.body.string.contains("Queued to be sent again."))
            try await api.deliver()
            #expect(try await receiver.received.count == 2)
            let forged = try await browser.send(.POST, "/admin/webhooks/\(id)/ping", form: [:])
            #expect(forged.status == .forbidden)
        }
    }
}
