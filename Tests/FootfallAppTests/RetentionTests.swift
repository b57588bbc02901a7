@testable import FootfallApp
import Fluent
import FootfallCore
import Foundation
import SQLKit
import Testing
import VaporTesting

@Suite("Retention: personal data kept only so many days")
struct RetentionTests {
    @Test func oldVisitsLoseWhoButStillCountAndPassesKeepTheirMinutes() async throws {
        try await withFootfall(clock: ManualClock(at("2026-06-01T08:00:00Z"))) { api in
            let location = try await api.location(["timeZone": "UTC"])
            let reader = try await api.device(at: location)
            let ada = try await api.member(card: "0A0B0C0D")
            let visitor = try await api.customer()
            let pass = try await api.pass(visitor, ["kind": "time", "minutes": 600])
            // June: a tap in and out, a visit on the time pass, an unknown card, a refusal.
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_in")
            #expect(try await api.checkIn(visitor, at: location).status == .created)
            #expect(try await reader.send("card", "FFFFFFFF").result == "refused")
            api.clock.advance(by: 3600)
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_out")
            let visit = try await api.get("/api/v1/check-ins?customerId=\(visitor)").items[0]["id"] as! String
            #expect(try await api.post("/api/v1/check-ins/\(visit)/check-out").status == .ok)
            let occupancyBefore = try await api.get("/api/v1/reports/occupancy?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&locationId=\(location)").body
            let balanceBefore = try await api.get("/api/v1/customers/\(visitor)/passes").items[0]["remainingMinutes"] as? Int
            #expect(balanceBefore == 540)
            // November: one more visit, inside the days kept.
            api.clock.set(at("2026-11-26T09:00:00Z"))
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_in")

            let applied = try await Retention.apply(days: 62, now: api.clock.now(), ledger: api.app.ledger)
            #expect(applied == Retention.Applied(visits: 2, failedCheckIns: 1, deviceEvents: 3))

            let visits = try await api.get("/api/v1/check-ins?limit=100").items
            let old = visits.filter { ($0["checkedInAt"] as! String).hasPrefix("2026-06") }
            #expect(old.count == 2)
            #expect(old.allSatisfy { $0["customerId"] as? String == Retention.anonymousCustomer.uuidString && $0["deviceId"] is NSNull })
            #expect(old.allSatisfy { ($0["admittedBy"] as? [String: Any])?["pass"] == nil })
            let recent = try #require(visits.first { ($0["checkedInAt"] as! String).hasPrefix("2026-11") })
            #expect(recent["customerId"] as? String == ada)
            #expect(recent["deviceId"] as? String == reader.id)
            let failed = try await api.get("/api/v1/failed-check-ins").items
            #expect(failed.count == 1)
            #expect(failed[0]["credential"] is NSNull && failed[0]["deviceId"] is NSNull && failed[0]["customerId"] is NSNull)
            // What is counted stays; what the pass used stays used.
            #expect(try await api.get("/api/v1/reports/occupancy?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&locationId=\(location)").body == occupancyBefore)
            #expect(try await api.get("/api/v1/customers/\(visitor)/passes").items[0]["remainingMinutes"] as? Int == balanceBefore)
            #expect(try await api.get("/api/v1/customers/\(visitor)/passes").items[0]["id"] as? String == pass)
            // The export names nobody for the anonymised visits.
            let exported = try await api.get("/api/v1/exports/check-ins").body.split(separator: "\r\n").dropFirst()
            #expect(exported.filter { $0.split(separator: ",", omittingEmptySubsequences: false)[1].isEmpty }.count == 2)
            // In the file itself, read by the sqlite3 command line: no who, which device or credential left
            // but the November visit's and its event's.
            if case .sqlite(let path) = api.app.settings.database {
                #expect(try sqlite3(path, "SELECT count(*) FROM check_ins WHERE device_id IS NOT NULL") == "1")
                #expect(try sqlite3(path, "SELECT count(DISTINCT customer_id) FROM check_ins") == "2")  // Ada's November visit, and nobody
                #expect(try sqlite3(path, "SELECT count(*) FROM failed_check_ins WHERE credential IS NOT NULL OR device_id IS NOT NULL "
                                    + "OR customer_id IS NOT NULL OR card_number IS NOT NULL") == "0")
                #expect(try sqlite3(path, "SELECT count(*) FROM device_events") == "1")
            }
            // Applied again, nothing more changes.
            #expect(try await Retention.apply(days: 62, now: api.clock.now(), ledger: api.app.ledger) == Retention.Applied(visits: 0, failedCheckIns: 0, deviceEvents: 0))
            #expect(try await api.get("/api/v1/customers/\(visitor)/passes").items[0]["remainingMinutes"] as? Int == balanceBefore)
        }
    }

    /// Deliveries another server wrote for a subscription deleted meanwhile are never sent; they
    /// name customers, so retention removes them whatever their age. A subscription's own pending
    /// delivery stays, however old.
    @Test func deliveriesOfADeletedSubscriptionGo() async throws {
        try await withFootfall(clock: ManualClock(at("2026-06-01T08:00:00Z"))) { api in
            func subscribe(_ url: String) async throws -> UUID {
                try #require((try await api.post("/api/v1/webhooks", ["url": url, "events": ["charge"]]).string("id")).flatMap(UUID.init(uuidString:)))
            }
            let kept = try await subscribe("http://127.0.0.1:9/hook")
            let deleted = try await subscribe("http://127.0.0.1:9/gone")
            #expect(try await api.request(.DELETE, "/api/v1/webhooks/\(deleted)").status == .noContent)
            for (webhook, age) in [(kept, 400.0), (deleted, 1.0)] {
                let delivery = WebhookDeliveryModel()
                delivery.id = .timeOrdered()
                delivery.webhookId = webhook
                delivery.messageId = WebhookOutbox.messageId(delivery.id!)
                delivery.type = "check_in"
                delivery.body = #"{"type":"check_in","data":{"customer":{"name":"Ada Lovelace"}}}"#
                delivery.status = DeliveryStatus.pending.rawValue
                delivery.attempts = 0
                delivery.createdAt = api.clock.now() - age * 86_400
                delivery.nextAttemptAt = delivery.createdAt
                try await delivery.create(on: api.app.db)
            }
            try await Retention.apply(days: 62, now: api.clock.now(), ledger: api.app.ledger)
            let left = try await WebhookDeliveryModel.query(on: api.app.db).all().map(\.webhookId)
            #expect(left == [kept])
        }
    }
}
