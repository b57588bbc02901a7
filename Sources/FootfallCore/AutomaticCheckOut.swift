import Foundation

/// When and how an open visit closes if nobody checks it out first.
public struct ScheduledClosing: Hashable, Sendable {
    /// The visit's check-out time.
    public var at: Date
    /// When the closing is due: `at`, except for Wi-Fi idleness, which is found only once the
    /// idle timeout has passed and closes the visit back at its last activity.
    public var due: Date
    public var method: CheckInMethod

    public init(at: Date, due: Date? = nil, method: CheckInMethod) {
        self.at = at
        self.due = due ?? at
        self.method = method
    }

    /// A Wi-Fi visit's last sign of life, and how long it may be quiet.
    public struct Idle: Hashable, Sendable {
        public var lastActivity: Date
        public var timeout: TimeInterval

        public init(lastActivity: Date, timeout: TimeInterval) {
            self.lastActivity = lastActivity
            self.timeout = timeout
        }
    }

    /// The earliest of the location's next cut-off after the check-in, the moment the
    /// entitlement runs out when that closes the visit, and, for a Wi-Fi visit, its idle timeout.
    public init(checkedInAt: Date, zone: LocalZone, timeLimitAt: Date?, idle: Idle? = nil) {
        let cutoff = zone.nextCutoff(after: checkedInAt)
        if let limit = timeLimitAt, limit < cutoff {
            self.init(at: max(limit, checkedInAt), method: .timeLimit)
        } else {
            self.init(at: cutoff, method: .closingTime)
        }
        if let idle, idle.lastActivity + idle.timeout < at {
            self.init(at: max(idle.lastActivity, checkedInAt), due: idle.lastActivity + idle.timeout, method: .wifiIdle)
        }
    }
}
