@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("Locations, plans and devices through the API")
struct ResourceTests {
    @Test func locationIsCreatedWithDefaultsAndReadBack() async throws {
        try await withFootfall { api in
            let created = try await api.post("/api/v1/locations", ["name": "Kreuzberg", "timeZone": "Europe/Berlin", "capacity": 40,
                                                                  "openingHours": ["mon": [["08:00", "20:00"]]]])
            #expect(created.status == .created)
            #expect(created.string("cutoffTime") == "00:00")
            #expect(created["capacity"] as? Int == 40)
            let read = try await api.get("/api/v1/locations/\(created.id)")
            #expect(read.status == .ok)
            #expect(read.string("name") == "Kreuzberg")
            #expect((read["openingHours"] as? [String: [[String]]])?["mon"] == [["08:00", "20:00"]])
        }
    }

    @Test func badLocationFieldsAreNamed() async throws {
        try await withFootfall { api in
            let cases: [([String: any Sendable], String)] = [
                (["timeZone": "Europe/Berlin"], "name"),
                (["name": "X", "timeZone": "Mars/Olympus"], "timeZone"),
                (["name": "X", "timeZone": "Europe/Berlin", "capacity": 0], "capacity"),
                (["name": "X", "timeZone": "Europe/Berlin", "cutoffTime": "25:00"], "cutoffTime"),
                (["name": "X", "timeZone": "Europe/Berlin", "openingHours": ["mon": [["20:00", "08:00"]]]], "openingHours.mon.0"),
                (["name": "X", "timeZone": "Europe/Berlin", "openingHours": ["funday": [["08:00", "20:00"]]]], "openingHours.funday"),
                (["name": 7, "timeZone": "Europe/Berlin"], "name"),
            ]
            for (body, field) in cases {
                let reply = try await api.post("/api/v1/locations", body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.code == "invalid_request")
                #expect(reply.string("detail")?.hasPrefix(field) == true, "\(reply.body) should name \(field)")
                #expect(reply.contentType == "application/problem+json")
            }
            let malformed = try await api.request(.POST, "/api/v1/locations", rawBody: "{\"name\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.code == "invalid_request")
            let notAnObject = try await api.request(.POST, "/api/v1/locations", rawBody: "[1, 2]")
            #expect(notAnObject.status == .badRequest)
            #expect(notAnObject.string("detail") == "body: expected an object.")
        }
    }

    @Test func patchChangesOnlyWhatItNamesAndNullClears() async throws {
        try await withFootfall { api in
            let id = try await api.location(["capacity": 10, "cutoffTime": "03:00"])
            let patched = try await api.patch("/api/v1/locations/\(id)", ["capacity": NSNull(), "name": "Mitte Nord"])
            #expect(patched.status == .ok)
            #expect(patched["capacity"] is NSNull)
            #expect(patched.string("name") == "Mitte Nord")
            #expect(patched.string("cutoffTime") == "03:00")
        }
    }

    @Test func aDevicesSettingsChangeButItsKindAndKeyStay() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let other = try await api.location(["name": "Kreuzberg"])
            let reader = try await api.device(at: location, direction: "toggle")
            let changed = try await api.patch("/api/v1/devices/\(reader.id)", ["name": "Front desk", "direction": "in", "locationId": other])
            #expect(changed.status == .ok)
            #expect(changed.string("name") == "Front desk")
            #expect(changed.string("direction") == "in")
            #expect(changed.string("locationId") == other)
            #expect(changed["key"] == nil)
            #expect(try await api.get("/api/v1/devices/\(reader.id)").string("direction") == "in")
            // The key still works, and the reader now checks in at its new location.
            let customer = try await api.member(card: "01026F6C3A")
            #expect(try await reader.send("card", "01026F6C3A").result == "checked_in")
            #expect(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first?["locationId"] as? String == other)

            let door = try await api.device(at: location, kind: "door")
            let mapped = try await api.patch("/api/v1/devices/\(door.id)", ["doors": ["front": "in", "back": "out"]])
            #expect((mapped["doors"] as? [String: String]) == ["front": "in", "back": "out"])
            // null clears the map: every door is unmapped again.
            #expect((try await api.patch("/api/v1/devices/\(door.id)", ["doors": NSNull()])["doors"] as? [String: String]) == [:])

            // A reader has no doors and no NAS; kinds stay; directions and locations must exist.
            let refusals: [[String: any Sendable]] = [["kind": "kiosk"], ["direction": "sideways"], ["doors": ["x": "in"]], ["nasIp": "10.0.0.3"],
                                                      ["locationId": UUID().uuidString], ["name": " "]]
            for body in refusals {
                let refused = try await api.patch("/api/v1/devices/\(reader.id)", body)
                #expect(refused.status == .badRequest, "\(body)")
                #expect(refused.string("code") == "invalid_request", "\(body)")
            }
            #expect(try await api.get("/api/v1/devices/\(reader.id)").string("name") == "Front desk")
        }
    }

    @Test func textWithANULCharacterAndUnknownMethodsAreClearRefusals() async throws {
        try await withFootfall { api in
            // PostgreSQL cannot store U+0000: refused up front on both databases, never a 500.
            let body = #"{"name":"Ada\u0000Lovelace","email":"ada@example.com"}"#
            let nul = try await api.request(.POST, "/api/v1/customers", rawBody: body)
            #expect(nul.status == .badRequest)
            #expect(nul.code == "invalid_request")
            let escaped = try await api.request(.POST, "/api/v1/customers", rawBody: #"{"name":"Ada \\u0000","email":"ada@example.com"}"#)
            #expect(escaped.status == .created, "an escaped backslash before u0000 is ordinary text")
            #expect(try await api.get("/api/v1/customers?q=%00").status == .badRequest)
            #expect(try await api.get("/member/abc%00def").status == .badRequest)
            // In a path parameter: decoded by the router, or left as it came when it does not decode.
            let inPath = try await api.get("/api/v1/customers/abc%00def")
            #expect(inPath.status == .badRequest)
            #expect(inPath.string("detail")?.hasPrefix("path:") == true, "\(inPath.body)")
            #expect(try await api.get("/api/v1/customers/%00%FF").status == .badRequest)
            // An escape elsewhere in the query that does not decode (%FF) does not hide it: Vapor
            // decodes each value on its own.
            #expect(try await api.get("/api/v1/customers?q=%00&x=%FF").status == .badRequest)
            #expect(try await api.get("/api/v1/customers?q=%2500").status == .ok, "a % sign before 00 is ordinary text")
            let location = try await api.location()
            let plan = try await api.plan()
            // Null is not "leave it": a field that cannot be empty refuses it.
            let nullName = try await api.request(.PATCH, "/api/v1/plans/\(plan)", rawBody: #"{"name":null}"#)
            #expect(nullName.status == .badRequest)
            #expect(try await api.get("/api/v1/plans/\(plan)").string("name") == "Flex")

            let trace = try await api.request(.TRACE, "/healthz")
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.code == "method_not_allowed")
            let put = try await api.request(.PUT, "/api/v1/locations/\(location)", ["name": "x"])
            #expect(put.status == .methodNotAllowed)
            #expect(put.string("detail") == "This path answers GET, PATCH, DELETE only.")
            #expect(try await api.get("/api/v1/nowhere").status == .notFound)
        }
    }

    @Test func listsArePagedWithACursor() async throws {
        try await withFootfall { api in
            for index in 1...5 { _ = try await api.location(["name": "Space \(index)"]) }
            var names: [String] = []
            var path = "/api/v1/locations?limit=2"
            var pages = 0
            while true {
                let page = try await api.get(path)
                #expect(page.status == .ok)
                pages += 1
                names += page.items.compactMap { $0["name"] as? String }
                guard let cursor = page["nextCursor"] as? String else { #expect(page["nextCursor"] is NSNull); break }
                path = "/api/v1/locations?limit=2&cursor=\(cursor)"
            }
            #expect(pages == 3)
            #expect(Set(names) == Set((1...5).map { "Space \($0)" }))
            #expect(try await api.get("/api/v1/locations?limit=0").code == "invalid_request")
            #expect(try await api.get("/api/v1/locations?limit=1001").code == "invalid_request")
            #expect(try await api.get("/api/v1/locations?cursor=nonsense").code == "invalid_request")
        }
    }

    @Test func unknownAndMalformedIdsAreNotFound() async throws {
        try await withFootfall { api in
            for path in ["/api/v1/locations/\(UUID())", "/api/v1/locations/not-a-uuid", "/api/v1/plans/\(UUID())",
                         "/api/v1/customers/\(UUID())", "/api/v1/devices/\(UUID())", "/api/v1/locations/\(UUID())/presence"] {
                let reply = try await api.get(path)
                #expect(reply.status == .notFound, "\(path)")
                #expect(reply.code == "not_found")
            }
        }
    }

    @Test func adminEndpointsNeedAnAdminToken() async throws {
        try await withFootfall { api in
            let none = try await api.request(.GET, "/api/v1/locations", headers: [:])
            #expect(none.status == .unauthorized)
            #expect(none.code == "unauthorized")
            let wrong = try await api.request(.GET, "/api/v1/locations", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == .unauthorized)

            let location = try await api.location()
            let device = try await api.post("/api/v1/devices", ["name": "Front desk", "locationId": location, "kind": "kiosk"])
            let deviceKey = try #require(device.string("key"))
            let asDevice = try await api.request(.GET, "/api/v1/locations", headers: ["Authorization": "Bearer \(deviceKey)"])
            #expect(asDevice.status == .forbidden)
            #expect(asDevice.code == "forbidden")
        }
    }

    @Test func tokensMadeOnTheCommandLineWorkAndAreStoredHashed() async throws {
        try await withFootfall { api in
            let token = try await AdminTokens.create(name: "ops", on: api.app.db)
            let reply = try await api.request(.GET, "/api/v1/locations", headers: ["Authorization": "Bearer \(token)"])
            #expect(reply.status == .ok)
            let stored = try await AdminTokenModel.query(on: api.app.db).all()
            #expect(stored.count == 1)
            #expect(stored[0].tokenHash != token && !stored[0].tokenHash.contains(token))
        }
    }

    @Test func deletingALocationWithHistoryIsAConflict() async throws {
        try await withFootfall { api in
            let empty = try await api.location()
            #expect(try await api.delete("/api/v1/locations/\(empty)").status == .noContent)
            #expect(try await api.get("/api/v1/locations/\(empty)").status == .notFound)

            let used = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            #expect(try await api.checkIn(customer, at: used).status == .created)
            let reply = try await api.delete("/api/v1/locations/\(used)")
            #expect(reply.status == .conflict)
            #expect(reply.code == "location_in_use")
        }
    }

    @Test func planWithLimitsAndItsValidation() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let created = try await api.post("/api/v1/plans", [
                "name": "Part-time", "locationIds": [location], "accessHours": ["mon": [["08:00", "18:00"]]],
                "limits": ["period": "month", "hours": 40, "days": 10] as [String: any Sendable], "overtime": "checkout",
            ])
            #expect(created.status == .created)
            let limits = created["limits"] as? [String: Any]
            #expect(limits?["period"] as? String == "month")
            #expect(limits?["hours"] as? Double == 40)
            #expect(limits?["enforce"] as? Bool == true)
            #expect(created.string("overtime") == "checkout")
            #expect(created["locationIds"] as? [String] == [location])

            let plain = try await api.post("/api/v1/plans", ["name": "Unlimited"])
            #expect(plain["limits"] is NSNull)
            #expect(plain.string("overtime") == "allow")
            #expect(plain["locationIds"] as? [String] == [])

            for (body, field) in [
                (["name": "X", "limits": ["period": "year", "hours": 1] as [String: any Sendable]], "limits.period"),
                (["name": "X", "limits": ["period": "week"]], "limits"),
                (["name": "X", "locationIds": [UUID().uuidString]], "locationIds"),
                (["name": "X", "overtime": "sometimes"], "overtime"),
            ] as [([String: any Sendable], String)] {
                let reply = try await api.post("/api/v1/plans", body)
                #expect(reply.status == .badRequest)
                #expect(reply.string("detail")?.hasPrefix(field) == true, "\(reply.body)")
            }

            let customer = try await api.customer(planId: created.id)
            _ = customer
            let delete = try await api.delete("/api/v1/plans/\(created.id)")
            #expect(delete.status == .conflict)
            #expect(delete.code == "plan_in_use")
            #expect(try await api.delete("/api/v1/plans/\(plain.id)").status == .noContent)
        }
    }

    @Test func deviceKeyIsShownOnceAndStoredHashed() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let created = try await api.post("/api/v1/devices", ["name": "Door reader", "locationId": location, "kind": "reader", "direction": "in"])
            #expect(created.status == .created)
            let key = try #require(created.string("key"))
            #expect(key.count >= 40)
            let read = try await api.get("/api/v1/devices/\(created.id)")
            #expect(read.status == .ok)
            #expect(read["key"] == nil)
            #expect(!read.body.contains(key))
            #expect(read.string("direction") == "in")
            let list = try await api.get("/api/v1/devices")
            #expect(!list.body.contains(key))
            let stored = try #require(try await DeviceModel.find(UUID(uuidString: created.id), on: api.app.db))
            #expect(stored.keyHash != key && stored.signingKey == nil)

            let wifi = try await api.post("/api/v1/devices", ["name": "AP", "locationId": location, "kind": "wifi", "nasIdentifier": "ap-1", "nasIp": "10.0.0.2"])
            #expect(wifi.status == .created)
            #expect(wifi.string("direction") == "toggle")
            #expect(wifi.string("nasIdentifier") == "ap-1")

            for (body, field) in [
                (["name": "X", "locationId": location, "kind": "toaster"], "kind"),
                (["name": "X", "locationId": location, "kind": "reader", "direction": "sideways"], "direction"),
                (["name": "X", "locationId": UUID().uuidString, "kind": "reader"], "locationId"),
                (["name": "X", "locationId": location, "kind": "door", "doors": ["front": "up"]], "doors.front"),
                (["name": "X", "locationId": location, "kind": "wifi", "nasIp": "not-an-ip"], "nasIp"),
                (["name": "X", "locationId": location, "kind": "kiosk", "nasIdentifier": "ap"], "nasIdentifier"),
            ] as [([String: any Sendable], String)] {
                let reply = try await api.post("/api/v1/devices", body)
                #expect(reply.status == .badRequest)
                #expect(reply.string("detail")?.hasPrefix(field) == true, "\(reply.body)")
            }
        }
    }

    @Test func healthAndOpenAPIAreOpen() async throws {
        try await withFootfall { api in
            let health = try await api.request(.GET, "/healthz", headers: [:])
            #expect(health.status == .ok)
            #expect(health.string("status") == "ok")
            let document = try await api.request(.GET, "/openapi.json", headers: [:])
            #expect(document.status == .ok)
            #expect(document.string("openapi")?.hasPrefix("3.1") == true)
        }
    }
}
