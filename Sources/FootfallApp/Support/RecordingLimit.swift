import Foundation
import NIOConcurrencyHelpers

/// How many refused attempts of one kind a source may have stored per minute (server clock):
/// a NAS that keeps sending logins nobody knows (misconfigured, or scripted) is still answered,
/// but cannot fill the database with failed check-ins. What is not stored is counted and logged
/// once per minute per source.
final class RecordingLimit: Sendable {
    let perMinute: Int

    private struct Minute {
        var start: Date
        var recorded = 0
        var skipped = 0
    }

    private let minutes = NIOLockedValueBox([UUID: Minute]())

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Whether this attempt from `source` is stored; when a minute closes with attempts left
    /// unstored, `skipped` says how many (to log).
    func allows(_ source: UUID, now: Date) -> (record: Bool, skipped: Int) {
        minutes.withLockedValue { minutes in
            var minute = minutes[source] ?? Minute(start: now)
            var skipped = 0
            if now.timeIntervalSince(minute.start) >= 60 || now < minute.start {
                skipped = minute.skipped
                minute = Minute(start: now)
            }
            let record = minute.recorded < perMinute
            if record { minute.recorded += 1 } else { minute.skipped += 1 }
            minutes[source] = minute
            return (record, skipped)
        }
    }
}
