import Foundation

/// What a customer has used of their plan in one calendar period, and what is left.
public struct PlanUsage: Sendable {
    public var period: DateInterval
    public var limits: PlanLimits?
    public var usedSeconds: TimeInterval
    /// The location days on which a plan visit started inside the period.
    public var usedDays: Set<LocalDate>

    public init(period: DateInterval, limits: PlanLimits?, usedSeconds: TimeInterval, usedDays: Set<LocalDate>) {
        self.period = period
        self.limits = limits
        self.usedSeconds = usedSeconds
        self.usedDays = usedDays
    }

    /// Totals the plan's visits over the period; open visits count up to `now`.
    public init(visits: [Visit], period: DateInterval, limits: PlanLimits?, now: Date) {
        self.init(
            period: period,
            limits: limits,
            usedSeconds: visits.reduce(0) { $0 + $1.seconds(within: period, now: now) },
            usedDays: Set(visits.filter { period.start <= $0.checkedInAt && $0.checkedInAt < period.end }.map(\.day))
        )
    }

    public var remainingSeconds: TimeInterval? { limits?.seconds.map { max(0, $0 - usedSeconds) } }

    public var remainingDays: Int? { limits?.days.map { max(0, $0 - usedDays.count) } }

    /// Past a limit: more time than the hours allow (a visit that ran on under `overtime:
    /// allow`) or more days than allowed (a plan that only reports its limits).
    public var isOverLimit: Bool {
        guard let limits else { return false }
        return overtimeSeconds > 0 || limits.days.map { usedDays.count > $0 } ?? false
    }

    /// Time used past the hours limit.
    public var overtimeSeconds: TimeInterval { limits?.seconds.map { max(0, usedSeconds - $0) } ?? 0 }

    /// Whether another visit on location day `today` would go over a limit. A visit on a day that
    /// already counts uses no new day.
    public func isUsedUp(today: LocalDate) -> Bool {
        guard let limits else { return false }
        if let seconds = limits.seconds, usedSeconds >= seconds { return true }
        if let days = limits.days, !usedDays.contains(today), usedDays.count >= days { return true }
        return false
    }
}
