import Fluent
import Foundation
import SQLKit
import Vapor

/// Keeping personal data only as long as the operator must (`--retain-days`): visits, failed
/// check-ins and device events older than that lose who, with which credential, device and
/// MAC address. Visits stay, under `anonymousCustomer`, so occupancy and presence by day or plan
/// still count them; a time pass keeps the minutes such visits used.
public enum Retention {
    /// The customer every anonymised visit belongs to; no customer row has this id.
    public static let anonymousCustomer = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    /// Fewer days could reach into the current week's or month's plan usage.
    public static let minimumDays = 62

    public struct Applied: Sendable, Equatable {
        public var visits: Int
        public var failedCheckIns: Int
        public var deviceEvents: Int
    }

    /// Anonymises what ended more than `days` days before `now`, in one of the ledger's
    /// transactions (so it never races a check-in).
    @discardableResult
    static func apply(days: Int, now: Date, ledger: Ledger) async throws -> Applied {
        let cutoff = now - TimeInterval(days) * 86_400
        return try await ledger.writer.perform { db in
            let sql = db as! any SQLDatabase
            // One server at a time (servers restarted together all apply it at start-up): the
            // second finds the first's work done instead of adding the passes' seconds again.
            try await db.lockAdmissions([.retention])
            // What the visits leaving their pass or token used stays on it.
            let entitled = try await CheckInModel.query(on: db).filter(\.$checkedOutAt < cutoff)
                .filter(\.$customerId != anonymousCustomer)
                .group(.or) { $0.filter(\.$admittedPassId != nil).filter(\.$admittedTokenId != nil) }.all()
            var used: [(table: String, id: UUID, seconds: TimeInterval)] = []
            for visit in entitled {
                let seconds = max(0, (visit.checkedOutAt ?? visit.checkedInAt).timeIntervalSince(visit.checkedInAt))
                if let pass = visit.admittedPassId { used.append((PassModel.schema, pass, seconds)) }
                if let token = visit.admittedTokenId { used.append((AccessTokenModel.schema, token, seconds)) }
            }
            for entries in Dictionary(grouping: used, by: { "\($0.table) \($0.id)" }).values {
                guard let first = entries.first else { continue }
                let seconds = entries.reduce(0) { $0 + $1.seconds }
                try await sql.raw("""
                    UPDATE \(ident: first.table) SET anonymised_seconds = COALESCE(anonymised_seconds, 0) + \(bind: seconds) WHERE id = \(bind: first.id)
                    """).run()
            }
            // Which devices were online (MAC addresses) goes with the visits; charges stop naming their customer.
            try await sql.raw("""
                DELETE FROM wifi_devices WHERE check_in_id IN (SELECT id FROM check_ins WHERE checked_out_at < \(bind: cutoff))
                """).run()
            try await sql.raw("UPDATE charges SET customer_id = NULL WHERE day_start < \(bind: cutoff) AND customer_id IS NOT NULL").run()
            let visits = try await sql.raw("""
                UPDATE check_ins SET customer_id = \(bind: anonymousCustomer), device_id = NULL, admitted_pass_id = NULL,
                    admitted_token_id = NULL, wifi_session_id = NULL, wifi_mac = NULL
                WHERE checked_out_at < \(bind: cutoff) AND customer_id <> \(bind: anonymousCustomer)
                  AND (charged_from IS NULL OR charge_settled IS NOT NULL) RETURNING id
                """).all().count
            let failed = try await sql.raw("""
                UPDATE failed_check_ins SET customer_id = NULL, credential = NULL, device_id = NULL, card_number = NULL
                WHERE at < \(bind: cutoff)
                  AND (customer_id IS NOT NULL OR credential IS NOT NULL OR device_id IS NOT NULL OR card_number IS NOT NULL)
                RETURNING id
                """).all().count
            // Webhook deliveries name customers; sent or given up on, they go with the rest. Those
            // of a deleted subscription go at once: nothing sends them (another server wrote them
            // in the seconds before it heard of the deletion).
            try await sql.raw("""
                DELETE FROM webhook_deliveries
                WHERE (created_at < \(bind: cutoff) AND status <> 'pending') OR webhook_id NOT IN (SELECT id FROM webhooks)
                """).run()
            // Device events only answer retries and double taps, minutes after the fact.
            let events = try await sql.raw("DELETE FROM device_events WHERE at < \(bind: cutoff) RETURNING id").all().count
            return Applied(visits: visits, failedCheckIns: failed, deviceEvents: events)
        }
    }
}

/// Applies retention at start-up and then once a day while the server runs.
struct RetentionKeeper: LifecycleHandler {
    let days: Int

    func didBootAsync(_ application: Application) async throws {
        let ledger = application.ledger, clock = application.settings.clock, logger = application.logger, days = days
        let task = Task.detached {
            while !Task.isCancelled {
                do {
                    let applied = try await Retention.apply(days: days, now: clock.now(), ledger: ledger)
                    logger.notice("retention applied", metadata: [
                        "days": "\(days)", "visits": "\(applied.visits)", "failed check-ins": "\(applied.failedCheckIns)",
                        "device events": "\(applied.deviceEvents)",
                    ])
                    try await Task.sleep(for: .seconds(86_400))
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("retention failed, trying again in an hour: \(String(reflecting: error))")
                    try? await Task.sleep(for: .seconds(3600))
                }
            }
        }
        application.storage[TaskKey.self] = task
    }

    func shutdownAsync(_ application: Application) async {
        await application.storage[TaskKey.self]?.stop()
    }

    private struct TaskKey: StorageKey { typealias Value = Task<Void, Never> }
}
