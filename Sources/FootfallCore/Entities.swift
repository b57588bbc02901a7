import Foundation

/// A space where customers check in, as the rules see it.
public struct Location: Sendable {
    public var id: UUID
    public var zone: LocalZone
    /// At most this many people in at once; nil is no limit.
    public var capacity: Int?
    /// When the location is open; nil is always open.
    public var openingHours: WeeklySchedule?

    public init(id: UUID, zone: LocalZone, capacity: Int? = nil, openingHours: WeeklySchedule? = nil) {
        self.id = id
        self.zone = zone
        self.capacity = capacity
        self.openingHours = openingHours
    }
}

public enum LimitPeriod: String, Codable, Sendable, CaseIterable {
    case week, month
}

/// What a plan allows per calendar period.
public struct PlanLimits: Hashable, Sendable {
    public var period: LimitPeriod
    /// At most this many hours checked in per period.
    public var hours: Double?
    /// At most this many distinct days with a check-in per period.
    public var days: Int?
    /// When false the limits are only reported: over-limit check-ins are admitted.
    public var enforce: Bool

    public init(period: LimitPeriod, hours: Double? = nil, days: Int? = nil, enforce: Bool = true) {
        self.period = period
        self.hours = hours
        self.days = days
        self.enforce = enforce
    }

    public var seconds: TimeInterval? { hours.map { $0 * 3600 } }
}

/// What happens when the plan's hours run out during a visit.
public enum Overtime: String, Codable, Sendable, CaseIterable {
    /// The visit is closed at the moment the limit is reached.
    case checkout
    /// The visit runs on and the minutes past the limit are reported as overtime.
    case allow
}

/// A membership product.
public struct Plan: Sendable {
    public var id: UUID
    /// The locations it covers; empty covers all.
    public var locationIds: Set<UUID>
    public var accessHours: WeeklySchedule?
    public var limits: PlanLimits?
    public var overtime: Overtime
    /// With no limits, the plan includes no time: every visit under it is charged at this rate.
    /// With limits, it includes their hours, and the rate takes over when they run out.
    public var payAsYouGo: PayAsYouGoRate?

    public init(id: UUID, locationIds: Set<UUID> = [], accessHours: WeeklySchedule? = nil,
                limits: PlanLimits? = nil, overtime: Overtime = .allow, payAsYouGo: PayAsYouGoRate? = nil) {
        self.id = id
        self.locationIds = locationIds
        self.accessHours = accessHours
        self.limits = limits
        self.overtime = overtime
        self.payAsYouGo = payAsYouGo
    }

    public func covers(_ location: UUID) -> Bool { locationIds.isEmpty || locationIds.contains(location) }
}

public enum PassKind: String, Codable, Sendable, CaseIterable {
    case day, time
}

/// A pass a customer holds, with what has been used of it so far.
public struct Pass: Allowance, Sendable {
    public var id: UUID
    public var kind: PassKind
    /// Time passes: minutes bought.
    public var minutes: Int?
    public var validFrom: Date?
    public var validUntil: Date?
    /// The locations it admits to; empty admits to all.
    public var locationIds: Set<UUID>
    /// Day passes: the location day it was used on.
    public var usedOn: LocalDate?
    /// Time passes: seconds charged so far by the visits it admitted.
    public var usedSeconds: TimeInterval

    public init(id: UUID, kind: PassKind, minutes: Int? = nil, validFrom: Date? = nil, validUntil: Date? = nil,
                locationIds: Set<UUID> = [], usedOn: LocalDate? = nil, usedSeconds: TimeInterval = 0) {
        self.id = id
        self.kind = kind
        self.minutes = minutes
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.locationIds = locationIds
        self.usedOn = usedOn
        self.usedSeconds = usedSeconds
    }

}

/// What passes and access tokens with an allowance have in common: minutes counted down by
/// the visits they admit, a validity, and the locations they admit to.
public protocol Allowance {
    /// Nil is no limit on time.
    var minutes: Int? { get }
    var validFrom: Date? { get }
    var validUntil: Date? { get }
    /// Empty admits to all.
    var locationIds: Set<UUID> { get }
    /// Seconds of the visits it admitted so far.
    var usedSeconds: TimeInterval { get }
}

extension Allowance {
    public func covers(_ location: UUID) -> Bool { locationIds.isEmpty || locationIds.contains(location) }

    /// From `validFrom` (inclusive) to `validUntil` (exclusive).
    public func isValid(at instant: Date) -> Bool {
        (validFrom.map { $0 <= instant } ?? true) && (validUntil.map { instant < $0 } ?? true)
    }

    /// Seconds left, never below zero; nil when it has no minutes.
    public var remainingSeconds: TimeInterval? {
        minutes.map { max(0, TimeInterval($0) * 60 - usedSeconds) }
    }
}

/// A visit as usage accounting sees it.
public struct Visit: Sendable {
    public var checkedInAt: Date
    /// Nil while the customer is still in.
    public var checkedOutAt: Date?
    /// The location day of the check-in (see ``LocalZone/day(of:)``).
    public var day: LocalDate

    public init(checkedInAt: Date, checkedOutAt: Date?, day: LocalDate) {
        self.checkedInAt = checkedInAt
        self.checkedOutAt = checkedOutAt
        self.day = day
    }

    /// Seconds of the visit inside the interval; an open visit counts up to `now`.
    public func seconds(within interval: DateInterval, now: Date) -> TimeInterval {
        let end = min(checkedOutAt ?? now, interval.end)
        let start = max(checkedInAt, interval.start)
        return max(0, end.timeIntervalSince(start))
    }
}
