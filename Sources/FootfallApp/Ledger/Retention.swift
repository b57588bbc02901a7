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
            // What the visits leaving their pass used stays on the pass.
            let passVisits = try await CheckInModel.query(on: db).filter(\.$checkedOutAt < cutoff)
                .filter(\.$customerId != anonymousCustomer).filter(\.$admittedPassId != nil).all()
            let used = passVisits.reduce(into: [UUID: TimeInterval]()) { used, visit in
                used[visit.admittedPassId!, default: 0] += max(0, (visit.checkedOutAt ?? visit.checkedInAt).timeIntervalSince(visit.checkedInAt))
            }
            for (pass, seconds) in used {
                try await sql.raw("""
                    UPDATE passes SET anonymised_seconds = COALESCE(anonymised_seconds, 0) + \(bind: seconds) WHERE id = \(bind: pass)
                    """).run()
            }
            let visits = try await sql.raw("""
                UPDATE check_ins SET customer_id = \(bind: anonymousCustomer), device_id = NULL, admitted_pass_id = NULL,
                    wifi_session_id = NULL, wifi_mac = NULL
                WHERE checked_out_at < \(bind: cutoff) AND customer_id <> \(bind: anonymousCustomer) RETURNING id
                """).all().count
            let failed = try await sql.raw("""
                UPDATE failed_check_ins SET customer_id = NULL, credential = NULL, device_id = NULL, card_number = NULL
                WHERE at < \(bind: cutoff)
                  AND (customer_id IS NOT NULL OR credential IS NOT NULL OR device_id IS NOT NULL OR card_number IS NOT NULL)
                RETURNING id
                """).all().count
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
