import Foundation

/// When an open visit closes by itself, and how the closing is recorded.
public struct ScheduledClosing: Hashable, Sendable {
    public var at: Date
    public var method: CheckInMethod

    public init(at: Date, method: CheckInMethod) {
        self.at = at
        self.method = method
    }

    /// The earlier of the location's next cut-off after the check-in and, when the entitlement
    /// closes the visit, the moment it runs out.
    public init(checkedInAt: Date, zone: LocalZone, timeLimitAt: Date?) {
        let cutoff = zone.nextCutoff(after: checkedInAt)
        if let limit = timeLimitAt, limit < cutoff {
            self.at = max(limit, checkedInAt)
            self.method = .timeLimit
        } else {
            self.at = cutoff
            self.method = .closingTime
        }
    }
}
