@testable import FootfallApp
import Crypto
import FootfallCore
import Foundation
import Testing
import TestSupport
import VaporTesting

/// A door device and its key, made through the API, sending webhooks as a door system would.
struct TestDoor: Sendable {
    let id: String
    let key: String
    let api: API

    /// A generic webhook, signed with `key` at `signedAt` (default: the server's now).
    func unlock(_ door: String, user: [String: String], eventId: String = UUID().uuidString, occurredAt: String? = nil,
                signedAt: Date? = nil, key: String? = nil) async throws -> Reply {
        let body: [String: any Sendable] = [
            "eventId": eventId, "occurredAt": occurredAt ?? RFC3339.format(api.clock.now()), "doorId": door, "user": user,
        ]
        let raw = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await post(raw, signature: Self.sign(raw, key: key ?? self.key, at: signedAt ?? api.clock.now()))
    }

    func post(_ raw: String, signature: String?) async throws -> Reply {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let signature { headers.add(name: "Footfall-Signature", value: signature) }
        return try await api.request(.POST, "/api/v1/integrations/doors/\(id)", headers: headers, rawBody: raw)
    }

    func kisi(_ payload: [String: any Sendable], key: String? = nil) async throws -> Reply {
        let raw = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(raw.utf8), using: SymmetricKey(data: Data((key ?? self.key).utf8)))
        return try await api.request(.POST, "/api/v1/integrations/kisi/\(id)",
                                     headers: ["Content-Type": "application/json", "X-Signature": hexDigits(mac)], rawBody: raw)
    }

    static func sign(_ raw: String, key: String, at time: Date) -> String {
        let t = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(t).\(raw)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        return "t=\(t),v1=\(hexDigits(mac))"
    }
}

/// Lower-case hex, as signers write it.
func hexDigits(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

extension API {
    func door(at location: String, doors: [String: String]) async throws -> TestDoor {
        let reply = try await post("/api/v1/devices", ["name": "Doors", "locationId": location, "kind": "door", "doors": doors])
        #expect(reply.status == .created, "\(reply.body)")
        return TestDoor(id: reply.id, key: try #require(reply.string("key")), api: self)
    }

    /// A customer on an unlimited plan, known to a door system by `externalId`.
    func doorMember(system: String = "generic", externalId: String, name: String = "Ada Lovelace") async throws -> String {
        let customer = try await customer(planId: try await plan(), ["name": name])
        let link = try await post("/api/v1/customers/\(customer)/external-ids", ["system": system, "externalId": externalId])
        #expect(link.status == .created, "\(link.body)")
        return customer
    }

    func visits(of customer: String) async throws -> [[String: Any]] {
        try await get("/api/v1/check-ins?customerId=\(customer)").items
    }

    var failedCheckIns: [[String: Any]] { get async throws { try await get("/api/v1/failed-check-ins").items } }
}

@Suite("Door webhooks: signatures, doors, order, Kisi")
struct DoorWebhookTests {
    static let doors = ["front": "in", "back": "out", "side": "toggle"]

    @Test func entryAndExitDoors() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            #expect(try await door.unlock("back", user: ["externalId": "u-17"]).result == "not_checked_in")
            let entry = try await door.unlock("front", user: ["externalId": "u-17"])
            #expect(entry.status == .ok)
            #expect(entry.result == "checked_in")
            #expect(entry.customerName == "Ada Lovelace")
            #expect((entry["checkIn"] as? [String: Any])?["method"] as? String == "door")
            #expect((entry["checkIn"] as? [String: Any])?["deviceId"] as? String == door.id)
            api.clock.advance(by: 3600)
            #expect(try await door.unlock("front", user: ["externalId": "u-17"]).result == "already_in")
            #expect(try await door.unlock("back", user: ["externalId": "u-17"]).result == "checked_out")
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["checkedOutAt"] as? String == "2026-11-26T10:00:00Z")
            #expect(visits.first?["checkOutMethod"] as? String == "door")
        }
    }

    @Test func toggleDoorFlipsAndIgnoresADoubleUnlock() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            #expect(try await door.unlock("side", user: ["externalId": "u-17"]).result == "checked_in")
            api.clock.advance(by: 10)
            #expect(try await door.unlock("side", user: ["externalId": "u-17"]).result == "ignored_repeat")
            api.clock.advance(by: 3600)
            #expect(try await door.unlock("side", user: ["externalId": "u-17"]).result == "checked_out")
            #expect(try await api.visits(of: customer).count == 1)
        }
    }

    @Test func theUserIsMatchedByEmailWhenNoExternalIdMatches() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.customer(planId: try await api.plan(), ["email": "grace@example.com", "name": "Grace Hopper"])
            let reply = try await door.unlock("front", user: ["externalId": "not-linked", "email": "Grace@Example.com"])
            #expect(reply.result == "checked_in")
            #expect(reply.customerName == "Grace Hopper")
            #expect(try await api.visits(of: customer).count == 1)
        }
    }

    @Test func anUnknownUserIsAFailedCheckIn() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let reply = try await door.unlock("front", user: ["externalId": "u-404"])
            #expect(reply.result == "refused")
            #expect(reply.string("reason") == "unknown_credential")
            let failed = try await api.failedCheckIns
            #expect(failed.count == 1)
            #expect(failed.first?["method"] as? String == "door")
            #expect(failed.first?["credential"] as? String == "generic:u-404")
            #expect(failed.first?["deviceId"] as? String == door.id)
        }
    }

    @Test func aCustomerWithoutEntitlementIsRefusedWithTheReason() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.customer(["email": "nopass@example.com"])
            let reply = try await door.unlock("front", user: ["email": "nopass@example.com"])
            #expect(reply.result == "refused")
            #expect(reply.string("reason") == "no_valid_pass")
            #expect(try await api.failedCheckIns.first?["customerId"] as? String == customer)
            #expect(try await api.visits(of: customer).isEmpty)
        }
    }

    @Test func anUnmappedDoorIsIgnoredAndChangesNothing() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            let reply = try await door.unlock("garage", user: ["externalId": "u-17"])
            #expect(reply.status == .ok)
            #expect(reply.json.keys.sorted() == ["result"])
            #expect(reply.result == "ignored")
            #expect(try await api.visits(of: customer).isEmpty)
            #expect(try await api.failedCheckIns.isEmpty)
        }
    }

    @Test func aReplayReturnsTheFirstAnswerAndChangesNothing() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            let first = try await door.unlock("side", user: ["externalId": "u-17"], eventId: "evt-1")
            api.clock.advance(by: 3600)
            let again = try await door.unlock("side", user: ["externalId": "u-17"], eventId: "evt-1",
                                              occurredAt: RFC3339.format(api.clock.now() - 3600))
            #expect(first.result == "checked_in")
            #expect(again.body == first.body)
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["checkedOutAt"] is NSNull)
        }
    }

    /// A door system delivers late and out of order: what happened before the customer's latest
    /// door event cannot undo it, and is answered `ignored`.
    @Test func anOlderEventDoesNotUndoANewerOne() async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T12:00:00Z"))) { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            #expect(try await door.unlock("front", user: ["externalId": "u-17"], occurredAt: "2026-11-26T09:00:00Z").result == "checked_in")
            #expect(try await door.unlock("back", user: ["externalId": "u-17"], occurredAt: "2026-11-26T11:00:00Z").result == "checked_out")
            // Delivered last, happened between the two: it must not check them in again.
            let late = try await door.unlock("front", user: ["externalId": "u-17"], occurredAt: "2026-11-26T10:00:00Z")
            #expect(late.result == "ignored")
            #expect(late.customerName == "Ada Lovelace")
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["checkedInAt"] as? String == "2026-11-26T09:00:00Z")
            #expect(visits.first?["checkedOutAt"] as? String == "2026-11-26T11:00:00Z")

            // And an exit older than a newer entry does not close the newer visit.
            #expect(try await door.unlock("front", user: ["externalId": "u-17"], occurredAt: "2026-11-26T11:30:00Z").result == "checked_in")
            #expect(try await door.unlock("back", user: ["externalId": "u-17"], occurredAt: "2026-11-26T11:15:00Z").result == "ignored")
            let open = try await api.get("/api/v1/check-ins?customerId=\(customer)&open=true").items
            #expect(open.count == 1)
            #expect(open.first?["checkedInAt"] as? String == "2026-11-26T11:30:00Z")
        }
    }

    @Test func badSignaturesAreRefusedAndRecordNothing() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.doorMember(externalId: "u-17")
            let other = try await api.door(at: location, doors: Self.doors)
            let now = api.clock.now()
            let body = #"{"eventId":"e1","occurredAt":"2026-11-26T09:00:00Z","doorId":"front","user":{"externalId":"u-17"}}"#
            let good = TestDoor.sign(body, key: door.key, at: now)
            let t = Int(now.timeIntervalSince1970)
            let cases: [(String, String?, String)] = [
                ("missing", nil, body),
                ("empty", "", body),
                ("no v1", "t=\(t)", body),
                ("no t", "v1=" + String(repeating: "ab", count: 32), body),
                ("not hex", "t=\(t),v1=" + String(repeating: "zz", count: 32), body),
                ("short", "t=\(t),v1=abcd", body),
                ("not a number", "t=soon,v1=" + String(repeating: "ab", count: 32), body),
                ("another device's key", TestDoor.sign(body, key: other.key, at: now), body),
                ("301 s old", TestDoor.sign(body, key: door.key, at: now - 301), body),
                ("301 s ahead", TestDoor.sign(body, key: door.key, at: now + 301), body),
                ("body changed after signing", good, body.replacingOccurrences(of: "u-17", with: "u-18")),
            ]
            for (name, signature, raw) in cases {
                let reply = try await door.post(raw, signature: signature)
                #expect(reply.status == .unauthorized, "\(name): \(reply.status) \(reply.body)")
                #expect(reply.code == "invalid_signature", "\(name)")
                #expect(reply.contentType == "application/problem+json", "\(name)")
            }
            #expect(try await api.visits(of: customer).isEmpty)
            #expect(try await api.failedCheckIns.isEmpty)
            // A time within 300 s either way is fine.
            #expect(try await door.post(body, signature: TestDoor.sign(body, key: door.key, at: now - 299)).result == "checked_in")
        }
    }

    @Test func anOversizedBodyIs413() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let padding = String(repeating: "x", count: 70_000)
            let raw = #"{"eventId":"e1","occurredAt":"2026-11-26T09:00:00Z","doorId":"front","user":{"externalId":"\#(padding)"}}"#
            // Over real HTTP, where the server reads the body as it arrives.
            try await api.withServer { port in
                let response = try await api.app.client.post(URI(string: "http://127.0.0.1:\(port)/api/v1/integrations/doors/\(door.id)")) {
                    $0.headers = ["Content-Type": "application/json", "Footfall-Signature": TestDoor.sign(raw, key: door.key, at: api.clock.now())]
                    $0.body = ByteBuffer(string: raw)
                }
                #expect(response.status == .payloadTooLarge)
                #expect(response.headers.first(name: .contentType) == "application/problem+json")
                #expect(response.body.map { String(buffer: $0) }?.contains("\"code\":\"payload_too_large\"") == true)
            }
            #expect(try await api.failedCheckIns.isEmpty)
        }
    }

    @Test func malformedSignedBodiesAreClear400s() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let bodies = [
                "{not json",
                #"{"eventId":"e1","occurredAt":"yesterday","doorId":"front","user":{"externalId":"u"}}"#,
                #"{"eventId":"e1","occurredAt":"2026-11-26T09:00:00Z","doorId":"front","user":{}}"#,
                #"{"eventId":"","occurredAt":"2026-11-26T09:00:00Z","doorId":"front","user":{"email":"a@b.c"}}"#,
                #"{"eventId":"e1","occurredAt":"2026-11-26T10:00:00Z","doorId":"front","user":{"email":"a@b.c"}}"#,
            ]
            for raw in bodies {
                let reply = try await door.post(raw, signature: TestDoor.sign(raw, key: door.key, at: api.clock.now()))
                #expect(reply.status == .badRequest, "\(raw): \(reply.body)")
                #expect(reply.code == "invalid_request", "\(raw)")
            }
            #expect(try await api.failedCheckIns.isEmpty)
        }
    }

    @Test func onlyDoorDevicesTakeWebhooks() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let raw = #"{"eventId":"e1","occurredAt":"2026-11-26T09:00:00Z","doorId":"front","user":{"externalId":"u"}}"#
            let signature = TestDoor.sign(raw, key: reader.key, at: api.clock.now())
            for id in [reader.id, UUID().uuidString, "not-a-uuid"] {
                let reply = try await api.request(.POST, "/api/v1/integrations/doors/\(id)",
                                                  headers: ["Content-Type": "application/json", "Footfall-Signature": signature], rawBody: raw)
                #expect(reply.status == .unauthorized, "\(id)")
            }
        }
    }

    // MARK: Kisi

    static func kisiUnlock(actor: Int = 4711, lock: Int = 90, success: Bool = true, type: String = "lock.unlock",
                           uuid: String = UUID().uuidString, at: String = "2026-11-26T09:00:00Z") -> [String: any Sendable] {
        ["uuid": uuid, "actor_type": "User", "actor_id": actor, "actor_name": "Ada Lovelace", "object_type": "Lock", "object_id": lock,
         "object_name": "Main Entrance", "organization_id": 1, "place_id": 7, "success": success, "type": type,
         "error_code": NSNull(), "error_message": NSNull(), "created_at": at]
    }

    @Test func kisiUnlocksCheckInAndOut() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: ["90": "toggle"])
            let customer = try await api.doorMember(system: "kisi", externalId: "4711")
            let entry = try await door.kisi(Self.kisiUnlock(uuid: "d7cf0237-a492-4e5d-b20c-f58fc3ef4eff"))
            #expect(entry.status == .ok)
            #expect(entry.result == "checked_in")
            api.clock.advance(by: 3600)
            #expect(try await door.kisi(Self.kisiUnlock(uuid: "d7cf0237-a492-4e5d-b20c-f58fc3ef4eff")).body == entry.body)
            #expect(try await door.kisi(Self.kisiUnlock(at: "2026-11-26T10:00:00Z")).result == "checked_out")
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["checkedInAt"] as? String == "2026-11-26T09:00:00Z")
            #expect(visits.first?["checkedOutAt"] as? String == "2026-11-26T10:00:00Z")
        }
    }

    @Test func kisiEventsOtherThanASuccessfulUnlockAreIgnored() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: ["90": "in"])
            let customer = try await api.doorMember(system: "kisi", externalId: "4711")
            #expect(try await door.kisi(Self.kisiUnlock(success: false)).result == "ignored")
            #expect(try await door.kisi(Self.kisiUnlock(type: "lock.held_open")).result == "ignored")
            #expect(try await door.kisi(Self.kisiUnlock(lock: 91)).result == "ignored")
            #expect(try await api.visits(of: customer).isEmpty)
            #expect(try await api.failedCheckIns.isEmpty)
            // An unknown Kisi user who did open the door is a failed check-in an admin can resolve.
            let stranger = try await door.kisi(Self.kisiUnlock(actor: 99))
            #expect(stranger.string("reason") == "unknown_credential")
            #expect(try await api.failedCheckIns.first?["credential"] as? String == "kisi:99 Ada Lovelace")
        }
    }

    @Test func kisiSignaturesAreChecked() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: ["90": "in"])
            let customer = try await api.doorMember(system: "kisi", externalId: "4711")
            #expect(try await door.kisi(Self.kisiUnlock(), key: "wrong").status == .unauthorized)
            let raw = String(decoding: try JSONSerialization.data(withJSONObject: Self.kisiUnlock()), as: UTF8.self)
            for headers: HTTPHeaders in [["Content-Type": "application/json"], ["Content-Type": "application/json", "X-Signature": "beef"]] {
                #expect(try await api.request(.POST, "/api/v1/integrations/kisi/\(door.id)", headers: headers, rawBody: raw).code == "invalid_signature")
            }
            #expect(try await api.visits(of: customer).isEmpty)
        }
    }

    /// The README's recipe, run as an operator would: the signature made by `openssl` in a
    /// shell, sent with `curl` to a running server.
    @Test func aWebhookSignedByOpenSSLIsAccepted() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let door = try await api.door(at: location, doors: Self.doors)
            let customer = try await api.customer(planId: try await api.plan(), ["email": "ada@example.com"])
            try await api.withServer { port in
                let script = """
                    BODY='{"eventId":"evt-1","occurredAt":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","doorId":"front","user":{"email":"ada@example.com"}}'
                    T=$(date +%s)
                    SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.* //')
                    curl -sS -X POST "$FOOTFALL/api/v1/integrations/doors/$DEVICE" \\
                      -H 'Content-Type: application/json' -H "Footfall-Signature: t=$T,v1=$SIG" --data "$BODY"
                    """
                let output = try await runTool("/usr/bin/env", [
                    "FOOTFALL=http://127.0.0.1:\(port)", "DEVICE=\(door.id)", "KEY=\(door.key)", "/bin/sh", "-c", script,
                ])
                let answer = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
                #expect(answer?["result"] as? String == "checked_in", "\(output)")
            }
            #expect(try await api.visits(of: customer).count == 1)
        }
    }
}
