@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import TestSupport
import VaporTesting

/// A device and its key, made through the API.
struct TestDevice: Sendable {
    let id: String
    let key: String
    let api: API

    func send(_ type: String, _ value: String, eventId: String = UUID().uuidString, at: String? = nil) async throws -> Reply {
        var body: [String: any Sendable] = ["eventId": eventId, "type": type, "value": value]
        if let at { body["at"] = at }
        return try await api.request(.POST, "/api/v1/devices/\(id)/events", body, headers: ["Authorization": "Bearer \(key)"])
    }
}

extension API {
    func device(at location: String, kind: String = "reader", direction: String = "toggle") async throws -> TestDevice {
        let reply = try await post("/api/v1/devices", ["name": "\(kind) \(direction)", "locationId": location, "kind": kind, "direction": direction])
        return TestDevice(id: reply.id, key: try #require(reply.string("key")), api: self)
    }

    /// A customer on an unlimited plan with a card.
    func member(card: String, pin: String? = nil) async throws -> String {
        let customer = try await customer(planId: try await plan())
        #expect(try await post("/api/v1/customers/\(customer)/cards", ["number": card]).status == .created)
        if let pin { #expect(try await request(.PUT, "/api/v1/customers/\(customer)/pin", ["pin": pin]).status == .noContent) }
        return customer
    }
}

extension Reply {
    var result: String? { string("result") }
    var customerName: String? { (json["customer"] as? [String: Any])?["name"] as? String }
}

@Suite("Device events: readers, kiosks, PINs and member codes")
struct DeviceEventTests {
    @Test func toggleReaderChecksInThenOut() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let customer = try await api.member(card: "01:02:6F:6C:3A")
            let first = try await reader.send("card", "01026F6C3A")
            #expect(first.status == .ok)
            #expect(first.result == "checked_in")
            #expect(first.customerName == "Ada Lovelace")
            #expect((first["checkIn"] as? [String: Any])?["method"] as? String == "rfid")
            #expect((first["checkIn"] as? [String: Any])?["deviceId"] as? String == reader.id)
            #expect(first["reason"] == nil)
            api.clock.advance(by: 3600)
            let second = try await reader.send("card", "01026F6C3A")
            #expect(second.result == "checked_out")
            let visit = try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first
            #expect(visit?["checkOutMethod"] as? String == "rfid")
            #expect(visit?["checkedOutAt"] as? String == "2026-11-26T10:00:00Z")
        }
    }

    @Test func inAndOutReaders() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let entry = try await api.device(at: location, direction: "in")
            let exit = try await api.device(at: location, direction: "out")
            _ = try await api.member(card: "AABBCCDD")
            #expect(try await exit.send("card", "AABBCCDD").result == "not_checked_in")
            #expect(try await entry.send("card", "AABBCCDD").result == "checked_in")
            api.clock.advance(by: 60)
            #expect(try await entry.send("card", "AABBCCDD").result == "already_in")
            #expect(try await exit.send("card", "AABBCCDD").result == "checked_out")
            api.clock.advance(by: 60)
            #expect(try await exit.send("card", "AABBCCDD").result == "not_checked_in")
        }
    }

    @Test func aDoubleTapIsNotACheckOut() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            _ = try await api.member(card: "AABBCCDD")
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            api.clock.advance(by: 5)
            #expect(try await reader.send("card", "aa:bb:cc:dd").result == "ignored_repeat")
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 1)
            api.clock.advance(by: 30)
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_out")
        }
    }

    /// A restart forgets no double tap: on SQLite the writer remembers recent taps, and reads the
    /// stored ones at its first turn.
    @Test func aDoubleTapAcrossARestartIsStillADoubleTap() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        var saved: TestDevice?
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { api in
            let reader = try await api.device(at: try await api.location())
            _ = try await api.member(card: "AABBCCDD")
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            saved = reader
        }
        clock.advance(by: 5)
        try await withFootfall(clock: clock, database: database) { api in
            let old = try #require(saved)
            let reader = TestDevice(id: old.id, key: old.key, api: api)
            #expect(try await reader.send("card", "AABBCCDD").result == "ignored_repeat")
            clock.advance(by: 30)
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_out")
        }
    }

    /// A reader uploading taps two days late has them judged against the taps of that time, older
    /// than the writer remembers on SQLite: read from the stored events.
    @Test func aLateUploadsDoubleTapIsADoubleTap() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T09:00:00Z"))) { api in
            let reader = try await api.device(at: try await api.location())
            _ = try await api.member(card: "AABBCCDD")
            #expect(try await reader.send("card", "AABBCCDD", at: "2026-11-24T08:00:00Z").result == "checked_in")
            #expect(try await reader.send("card", "AABBCCDD", at: "2026-11-24T08:00:05Z").result == "ignored_repeat")
            // Past the double-tap window: judged, and that day's visit (closed at closing time) had them in.
            #expect(try await reader.send("card", "AABBCCDD", at: "2026-11-24T08:00:40Z").result == "already_in")
        }
    }

    /// Days on, what the writer remembers has been pruned, and the double-tap rule still holds.
    @Test func aDoubleTapDaysLaterIsStillADoubleTap() async throws {
        try await withFootfall { api in
            let reader = try await api.device(at: try await api.location())
            _ = try await api.member(card: "AABBCCDD")
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            api.clock.advance(by: 3 * 86_400)
            // The visit closed at the cut-off days ago: this one checks in again.
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            api.clock.advance(by: 5)
            #expect(try await reader.send("card", "AABBCCDD").result == "ignored_repeat")
            api.clock.advance(by: 30)
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_out")
        }
    }

    /// On SQLite the writer forgets, once a day, the taps more than a day old; a tap made seconds
    /// before it forgets is not among them, and its double tap is still one.
    @Test func aDoubleTapAcrossTheDailyForgettingIsStillADoubleTap() async throws {
        try await withFootfall { api in
            let reader = try await api.device(at: try await api.location())
            _ = try await api.member(card: "AABBCCDD")
            _ = try await api.member(card: "11223344")
            // The writer's first batch: it remembers from a day before now on.
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            api.clock.advance(by: RecentTaps.kept - 2)
            #expect(try await reader.send("card", "11223344").result == "checked_in")
            // A day and 3 s since the first batch: this turn forgets what was stamped before 3 s after it.
            api.clock.advance(by: 5)
            #expect(try await reader.send("card", "11223344").result == "ignored_repeat")
            api.clock.advance(by: 30)
            #expect(try await reader.send("card", "11223344").result == "checked_out")
        }
    }

    /// A reader uploads, at once, the double taps of three cards made two days ago, while another
    /// reader's card is tapped twice now: each is a double tap, whether they are decided in one
    /// turn or several, from the stored taps (two days ago) or the remembered ones (now).
    @Test func lateDoubleTapsOfSeveralCardsSentTogetherAreDoubleTaps() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let late = try await api.device(at: location)
            let now = try await api.device(at: location)
            let cards = ["A1A1A1A1", "B2B2B2B2", "C3C3C3C3"]
            for card in cards + ["D4D4D4D4"] { _ = try await api.member(card: card) }
            for card in cards {
                #expect(try await late.send("card", card, at: "2026-11-24T08:00:00Z").result == "checked_in")
            }
            #expect(try await now.send("card", "D4D4D4D4").result == "checked_in")
            api.clock.advance(by: 5)
            let answers = try await withThrowingTaskGroup(of: String?.self) { group in
                for card in cards { group.addTask { try await late.send("card", card, at: "2026-11-24T08:00:05Z").result } }
                group.addTask { try await now.send("card", "D4D4D4D4").result }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(answers == Array(repeating: "ignored_repeat", count: 4))
        }
    }

    /// A card read still waiting for the writer when the server stops is answered 503
    /// `shutting_down` with a Retry-After, and nothing of it is written: sent again, it is decided.
    @Test(.timeLimit(.minutes(1))) func anEventWaitingAsTheServerStopsIsAnswered503AndCanBeSentAgain() async throws {
        try await withFootfall { api in
            let reader = try await api.device(at: try await api.location())
            _ = try await api.member(card: "AABBCCDD")
            let writer = api.app.ledger.writer
            // The card read waits behind the test's own write.
            let held = try await HeldWriter.hold(writer)
            defer { held.letGo() }
            let eventId = UUID().uuidString
            let waiting = Task { try await reader.send("card", "AABBCCDD", eventId: eventId) }
            while writer.queuedDeviceEvents == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await writer.finish(within: .milliseconds(50))
            try await held.release()
            let refused = try await waiting.value
            #expect(refused.status == .serviceUnavailable, "\(refused.body)")
            #expect(refused.code == "shutting_down")
            #expect(refused.contentType == "application/problem+json")
            #expect(refused.headers.first(name: .retryAfter) == "5")
            #expect(try await reader.send("card", "AABBCCDD", eventId: eventId).result == "checked_in")
        }
    }

    /// A number that two cards' keys match (as decimal, and as hex) goes to the card of the more
    /// specific reading, and a second tap a turn later is that card's double tap, on either
    /// database (on PostgreSQL the holders and the earlier taps are read in one statement, each
    /// reading's card apart).
    @Test func aNumberTwoCardsMatchIsTheMoreSpecificCardsAndSoIsItsDoubleTap() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let asHex = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/customers/\(asHex)/cards", ["number": "12345678", "format": "hex"]).status == .created)
            let asDecimal = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/customers/\(asDecimal)/cards", ["number": "12345678", "format": "decimal"]).status == .created)
            let first = try await reader.send("card", "12345678")
            #expect(first.result == "checked_in")
            #expect((first["customer"] as? [String: Any])?["id"] as? String == asDecimal)
            api.clock.advance(by: 5)
            #expect(try await reader.send("card", "12345678").result == "ignored_repeat")
            api.clock.advance(by: 30)
            #expect(try await reader.send("card", "12345678").result == "checked_out")
            #expect(try await api.get("/api/v1/check-ins?customerId=\(asHex)").items.isEmpty)
        }
    }

    @Test func aRetriedEventGetsTheSameAnswerAndChangesNothing() async throws {
        let database = TestDatabase.fresh()
        let clock = ManualClock(at("2026-11-26T09:00:00Z"))
        var saved: (reader: TestDevice, first: Reply)?
        try await withFootfall(clock: clock, database: database, keepDatabase: true) { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            _ = try await api.member(card: "AABBCCDD")
            let first = try await reader.send("card", "AABBCCDD", eventId: "tap-1")
            clock.advance(by: 120)
            let retry = try await reader.send("card", "AABBCCDD", eventId: "tap-1")
            #expect(retry.body == first.body)
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 1)
            saved = (reader, first)
        }
        // The server restarts; the reader retries again.
        try await withFootfall(clock: clock, database: database) { api in
            let (oldReader, first) = try #require(saved)
            let reader = TestDevice(id: oldReader.id, key: oldReader.key, api: api)
            let retry = try await reader.send("card", "AABBCCDD", eventId: "tap-1")
            #expect(retry.body == first.body)
            #expect(try await api.get("/api/v1/check-ins").items.count == 1)
            #expect(try await api.get("/api/v1/check-ins?open=true").items.count == 1)
        }
    }

    @Test func unknownCardsAreFailedCheckInsShowingTheLastFourCharacters() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let reply = try await reader.send("card", "DEADBEEF42")
            #expect(reply.result == "refused")
            #expect(reply.string("reason") == "unknown_credential")
            #expect(reply["customer"] == nil)
            let failed = try await api.get("/api/v1/failed-check-ins").items.first
            #expect(failed?["credential"] as? String == "…EF42")
            #expect(failed?["method"] as? String == "rfid")
            #expect(failed?["deviceId"] as? String == reader.id)
        }
    }

    @Test func refusalsCarryTheReasonAndTheCustomer() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let customer = try await api.customer()
            _ = try await api.post("/api/v1/customers/\(customer)/cards", ["number": "11223344"])
            let reply = try await reader.send("card", "11223344")
            #expect(reply.result == "refused")
            #expect(reply.string("reason") == "no_valid_pass")
            #expect(reply.customerName == "Ada Lovelace")
            #expect(try await api.get("/api/v1/failed-check-ins?reason=no_valid_pass").items.first?["customerId"] as? String == customer)
        }
    }

    /// One card, reported as different readers report it, is one customer.
    @Test func cardFormatsOverTheAPI() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location, direction: "in")
            _ = try await api.member(card: "01:02:6F:6C:3A")
            for output in ["0040856634", "111,27706", "07302202", "3A6C6F0201", "004335823930"] {
                let reply = try await reader.send("card", output)
                #expect(reply.customerName == "Ada Lovelace", "\(output): \(reply.body)")
                api.clock.advance(by: 31)
            }
            let other = try await api.customer()
            let clash = try await api.post("/api/v1/customers/\(other)/cards", ["number": "111:27706", "format": "wiegand26"])
            #expect(clash.status == .conflict)
            #expect(clash.code == "card_in_use")
        }
    }

    @Test func aRemovedCardOrDeviceStopsWorkingAtOnce() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let customer = try await api.member(card: "AABBCCDD")
            #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
            let card = try await CardModel.query(on: api.app.db).first()
            #expect(try await api.delete("/api/v1/customers/\(customer)/cards/\(try #require(card?.id))").status == .noContent)
            api.clock.advance(by: 60)
            #expect(try await reader.send("card", "AABBCCDD").string("reason") == "unknown_credential")
            #expect(try await api.delete("/api/v1/devices/\(reader.id)").status == .noContent)
            #expect(try await reader.send("card", "AABBCCDD").status == .unauthorized)
        }
    }

    @Test func deviceEventsNeedThatDevicesKey() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let other = try await api.device(at: location)
            let body: [String: any Sendable] = ["eventId": "e", "type": "card", "value": "AABBCCDD"]
            let path = "/api/v1/devices/\(reader.id)/events"
            #expect(try await api.request(.POST, path, body, headers: [:]).status == .unauthorized)
            #expect(try await api.request(.POST, path, body, headers: ["Authorization": "Bearer wrong"]).status == .unauthorized)
            #expect(try await api.request(.POST, path, body, headers: ["Authorization": "Bearer \(other.key)"]).status == .forbidden)
            #expect(try await api.request(.POST, path, body, headers: adminHeaders).status == .forbidden)
            // And so when each key is known from memory (`Lookups.devices`), after an event of its own.
            #expect(try await reader.send("card", "AABBCCDD").status == .ok)
            #expect(try await other.send("card", "AABBCCDD").status == .ok)
            #expect(try await api.request(.POST, path, body, headers: ["Authorization": "Bearer \(other.key)"]).status == .forbidden)
            #expect(try await api.request(.POST, "/api/v1/devices/\(other.id)/events", body,
                                          headers: ["Authorization": "Bearer \(reader.key)"]).status == .forbidden)
            for (body, field) in [
                (["type": "card", "value": "x"], "eventId"), (["eventId": "e", "type": "iris", "value": "x"], "type"),
                (["eventId": "e", "type": "card", "value": " "], "value"),
                (["eventId": "e", "type": "card", "value": "x", "at": "2030-01-01T00:00:00Z"], "at"),
            ] as [([String: any Sendable], String)] {
                let reply = try await api.request(.POST, path, body, headers: ["Authorization": "Bearer \(reader.key)"])
                #expect(reply.status == .badRequest)
                #expect(reply.string("detail")?.hasPrefix(field) == true, "\(reply.body)")
            }
        }
    }

    @Test func pinAtAKiosk() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            _ = try await api.member(card: "AABBCCDD", pin: "4821")
            let reply = try await kiosk.send("pin", "4821")
            #expect(reply.result == "checked_in")
            #expect((reply["checkIn"] as? [String: Any])?["method"] as? String == "kiosk_pin")
            let wrong = try await kiosk.send("pin", "0000")
            #expect(wrong.string("reason") == "unknown_credential")
            #expect(try await api.get("/api/v1/failed-check-ins").items.first?["credential"] is NSNull)
        }
    }

    @Test func fiveWrongPinsLockTheKioskForTenMinutes() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            let otherKiosk = try await api.device(at: location, kind: "kiosk")
            _ = try await api.member(card: "AABBCCDD", pin: "4821")
            for guess in ["1111", "2222", "3333", "4444", "5555"] {
                #expect(try await kiosk.send("pin", guess).string("reason") == "unknown_credential")
                api.clock.advance(by: 60)
            }
            // 09:05: locked until 09:14. The right PIN is refused without saying whether it exists.
            let locked = try await kiosk.send("pin", "4821")
            #expect(locked.string("reason") == "pin_locked")
            #expect(locked["customer"] == nil)
            #expect(try await kiosk.send("pin", "9999").string("reason") == "pin_locked")
            #expect(try await api.get("/api/v1/failed-check-ins?reason=pin_locked").items.count == 2)
            // Cards still work here, and PINs at another kiosk.
            #expect(try await otherKiosk.send("pin", "4821").result == "checked_in")
            api.clock.set(at("2026-11-26T09:13:59Z"))
            #expect(try await kiosk.send("pin", "4821").string("reason") == "pin_locked")
            #expect(try await kiosk.send("card", "AABBCCDD").result == "checked_out")
            api.clock.set(at("2026-11-26T09:14:00Z"))
            #expect(try await kiosk.send("pin", "4821").result == "checked_in")
        }
    }

    @Test func memberCodesWorkOnceAndExpire() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk", direction: "in")
            let customer = try await api.member(card: "AABBCCDD")
            let stored = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db))
            let totp = api.app.ledger.memberCodes.totp(memberSecret: stored.memberSecret)
            func code(at instant: Date) -> String { MemberCode(customerId: stored.id!, code: totp.code(at: instant)).payload }

            let now = api.clock.now()
            #expect(try await kiosk.send("member_code", code(at: now)).result == "checked_in")
            api.clock.advance(by: 40)
            // The same code again, as a screenshot would show it.
            #expect(try await kiosk.send("member_code", code(at: now)).string("reason") == "unknown_credential")
            // One step of clock skew is allowed; two are not.
            #expect(try await kiosk.send("member_code", code(at: api.clock.now() + 30)).result == "already_in")
            api.clock.advance(by: 40)
            #expect(try await kiosk.send("member_code", code(at: api.clock.now() - 61)).string("reason") == "unknown_credential")
            #expect(try await kiosk.send("member_code", "FFM-not-a-code").string("reason") == "unknown_credential")
        }
    }
}

@Suite("Member codes")
struct MemberCodeTests {
    /// RFC 6238, appendix B.
    @Test(arguments: [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ])
    func rfc6238TestVectors(_ time: Int, _ sha1: String, _ sha256: String, _ sha512: String) {
        let instant = Date(timeIntervalSince1970: TimeInterval(time))
        let seed = "1234567890"
        #expect(TimeStepCode(key: Data(String(repeating: seed, count: 2).utf8), digits: .eight, algorithm: .sha1).code(at: instant) == sha1)
        #expect(TimeStepCode(key: Data((String(repeating: seed, count: 3) + "12").utf8), digits: .eight, algorithm: .sha256).code(at: instant) == sha256)
        #expect(TimeStepCode(key: Data((String(repeating: seed, count: 6) + "1234").utf8), digits: .eight, algorithm: .sha512).code(at: instant) == sha512)
    }

    @Test func payloadRoundTrips() {
        let code = MemberCode(customerId: UUID(), code: "012345")
        #expect(MemberCode(code.payload) == code)
        #expect(code.payload.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" })
        #expect(MemberCode("FFM-123-012345") == nil)
    }
}

@Suite("Device events from many readers at once")
struct ConcurrentDeviceEventTests {
    /// Readers tapping at once are decided together; each answer is what it would be alone.
    @Test func manyReadersAtOnce() async throws {
        try await withFootfall { api in
            let location = try await api.location(["capacity": 30])
            let readers = try await (0..<8).asyncMap { _ in try await api.device(at: location) }
            let cards = (0..<40).map { String(format: "C0FFEE%02X", $0) }
            for card in cards { _ = try await api.member(card: card) }

            // 40 people tap in at once on 8 readers; the space holds 30.
            let arrivals = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                for (index, card) in cards.enumerated() { group.addTask { (card, try await readers[index % 8].send("card", card)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(arrivals.filter { $0.1.result == "checked_in" }.count == 30)
            #expect(arrivals.filter { $0.1.string("reason") == "location_full" }.count == 10)
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 30)

            // Everyone who got in taps out at once.
            api.clock.advance(by: 60)
            let inside = arrivals.filter { $0.1.result == "checked_in" }.map(\.0)
            let leaving = try await withThrowingTaskGroup(of: Reply.self) { group in
                for (index, card) in inside.enumerated() { group.addTask { try await readers[index % 8].send("card", card) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(leaving.filter { $0.result == "checked_out" }.count == 30)
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == 0)
        }
    }

    @Test func oneCardOnTwoReadersAndOneEventSentTwiceAtOnce() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let entry = try await api.device(at: location, direction: "in")
            let other = try await api.device(at: location, direction: "in")
            let customer = try await api.member(card: "AABBCCDD")
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for index in 0..<10 {
                    group.addTask { try await (index.isMultiple(of: 2) ? entry : other).send("card", "AABBCCDD", eventId: "same-\(index % 2)") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .ok })
            // Each reader's retries of its one event all get that event's answer.
            #expect(Set(replies.map(\.body)).count == 2)
            #expect(replies.filter { $0.result == "checked_in" }.count == 5)
            #expect(replies.filter { $0.result == "already_in" }.count == 5)
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.count == 1)
        }
    }
}

@Suite("Device events while the ledger's writer falls idle and wakes", .timeLimit(.minutes(2)))
struct WriterWakeTests {
    /// Device events reach the writer from the request's own thread, without a hop to the
    /// writer's (`LedgerWriter.record(_:batch:then:)`), and the writer, when nothing waits,
    /// waits for the next write holding its connection; once the server is stopping it lets go
    /// of its connection instead, and a drain starts again for the next write. Waves of taps,
    /// some at once, some apart, land as the writer waits and wakes (or stops and starts): each
    /// is answered (a lost wake-up would leave it waiting until the time limit) with what
    /// toggling that member gives, and presence ends as the taps say.
    @Test(arguments: [false, true]) func everyTapIsAnsweredAsTheWriterStopsAndStarts(stopping: Bool) async throws {
        var random = SeededGenerator.fromEnvironment()
        try await withFootfall { api in
            // Marked as stopping, the writer lets go of its connection whenever nothing waits.
            if stopping { await api.app.ledger.writer.finish() }
            let location = try await api.location()
            let readers = try await (0..<3).asyncMap { _ in try await api.device(at: location) }
            let cards = (0..<12).map { String(format: "5EED%04X", $0) }
            for card in cards { _ = try await api.member(card: card) }
            var inside = Set<String>()
            for wave in 0..<60 {
                let tapping = Array(cards.shuffled(using: &random).prefix(Int.random(in: 1...6, using: &random)))
                let pause = Int.random(in: 0...2, using: &random)
                let replies = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                    for (index, card) in tapping.enumerated() {
                        group.addTask { (card, try await readers[(wave + index) % 3].send("card", card)) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (card, reply) in replies {
                    let expected = inside.contains(card) ? "checked_out" : "checked_in"
                    #expect(reply.result == expected, "seed \(random.seed), wave \(wave), card \(card): \(reply.body)")
                    if inside.remove(card) == nil { inside.insert(card) }
                }
                // Past the double-tap window. Then the next wave comes at once, a moment later, or
                // once the writer waits for writes (holding its connection, or having let it go).
                api.clock.advance(by: 60)
                if pause == 1 { try await Task.sleep(for: .milliseconds(1)) }
                if pause == 2 {
                    while !["waiting for writes", "idle"].contains(api.app.ledger.writer.step.withLockedValue({ $0.name })) {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            #expect(try await api.get("/api/v1/locations/\(location)/presence")["count"] as? Int == inside.count)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
