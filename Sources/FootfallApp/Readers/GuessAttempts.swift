import Fluent
import SQLKit
import FootfallCore
import Vapor

/// The wrong PINs and member codes each kiosk of a batch has had lately, on the server's clock:
/// read once per kiosk and kind, then counted one by one as the batch judges attempts, so that
/// attempts arriving together cannot all be judged against the count from before them.
struct GuessAttempts {
    /// The server's time for every attempt of the batch.
    let now: Date
    private var wrong: [Key: [Date]] = [:]

    private struct Key: Hashable {
        var device: UUID
        var method: CheckInMethod
    }

    init(now: Date) { self.now = now }

    mutating func isLocked(_ device: DeviceModel, _ method: CheckInMethod, on db: any Database) async throws -> Bool {
        let key = Key(device: try device.requireID(), method: method)
        if wrong[key] == nil {
            // Read under the kiosk's lock: another server judging its attempts waits for this commit.
            try await db.lockAdmissions([.guesses(key.device)])
            // Literal conditions, so that both databases read the partial index of wrong credentials.
            let rows = try await (db as! any SQLDatabase).raw("""
                SELECT recorded_at FROM failed_check_ins
                WHERE device_id = \(bind: key.device) AND reason = 'unknown_credential' AND recorded_at IS NOT NULL
                  AND recorded_at >= \(bind: now - GuessLockout.lookBack) AND method = \(bind: method.rawValue)
                """).all()
            // A row stamped by a server whose clock runs ahead still counts, as of now.
            wrong[key] = try rows.map { min(try $0.decode(column: "recorded_at", as: Date.self), now) }
        }
        return GuessLockout.lockedUntil(wrongAttempts: wrong[key] ?? [], at: now) != nil
    }

    /// A wrong attempt judged now (its failed check-in is stored with `recordedAt = now`).
    mutating func wrong(_ device: DeviceModel, _ method: CheckInMethod) {
        guard let id = device.id else { return }
        wrong[Key(device: id, method: method), default: []].append(now)
    }
}
