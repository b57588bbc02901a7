import Foundation

/// What an access token allows on its own (Wi-Fi only), with what its visits have used.
public struct TokenAllowance: Allowance, Sendable {
    public var id: UUID
    /// Wi-Fi minutes it grants; nil is no limit on time.
    public var minutes: Int?
    public var validFrom: Date?
    public var validUntil: Date?
    /// The locations it admits to; empty admits to all.
    public var locationIds: Set<UUID>
    /// Seconds of the visits it admitted, up to the attempt's time.
    public var usedSeconds: TimeInterval

    public init(id: UUID, minutes: Int? = nil, validFrom: Date? = nil, validUntil: Date? = nil, locationIds: Set<UUID> = [],
                usedSeconds: TimeInterval = 0) {
        self.id = id
        self.minutes = minutes
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.locationIds = locationIds
        self.usedSeconds = usedSeconds
    }

}

/// How many devices a token may have online at once.
public struct DeviceLimit: Hashable, Sendable {
    public var maximum: Int

    public init(maximum: Int) { self.maximum = maximum }

    /// Whether `device` may log in while `online` (the token's devices with an open session) are
    /// online: a device already among them always may (a re-login, roaming); a new one only while
    /// there is room. The devices online are never turned away.
    public func admits(_ device: String, online: Set<String>) -> Bool {
        online.contains(device) || online.count < maximum
    }
}

/// A pay-as-you-go rate: `price` per started `increment` of minutes, with a daily minimum and
/// maximum, in minor units of the server's currency.
public struct PayAsYouGoRate: Hashable, Sendable, Codable {
    public var price: Int
    public var increment: Int
    public var dailyMinimum: Int?
    public var dailyMaximum: Int?

    public static let defaultIncrement = 15

    public init(price: Int, increment: Int = PayAsYouGoRate.defaultIncrement, dailyMinimum: Int? = nil, dailyMaximum: Int? = nil) {
        self.price = price
        self.increment = increment
        self.dailyMinimum = dailyMinimum
        self.dailyMaximum = dailyMaximum
    }

    /// A day's charge for this many seconds: the minutes (whole minutes, rounded up) rounded up to
    /// whole increments times the price, then held between the daily minimum and maximum.
    public func charge(seconds: TimeInterval) -> DayCharge {
        // Whole milliseconds first, so that 960 s read back as 960.0000001 is still 16 minutes.
        let milliseconds = max(0, Int((seconds * 1000).rounded()))
        let minutes = (milliseconds + 59_999) / 60_000
        let increments = (minutes + increment - 1) / increment
        var amount = increments * price
        if let dailyMinimum { amount = max(amount, dailyMinimum) }
        if let dailyMaximum { amount = min(amount, dailyMaximum) }
        return DayCharge(minutes: minutes, amount: amount)
    }
}

/// What one customer owes for one location day.
public struct DayCharge: Hashable, Sendable {
    public var minutes: Int
    public var amount: Int

    public init(minutes: Int, amount: Int) {
        self.minutes = minutes
        self.amount = amount
    }
}

/// A visit that the rate charges from `chargedFrom` (its check-in when the rate admitted it, or
/// the moment a plan's included hours ran out).
public struct ChargedVisit: Sendable {
    public var id: UUID
    public var chargedFrom: Date
    /// Nil while the customer is still in.
    public var checkedOutAt: Date?

    public init(id: UUID, chargedFrom: Date, checkedOutAt: Date?) {
        self.id = id
        self.chargedFrom = chargedFrom
        self.checkedOutAt = checkedOutAt
    }

    /// The location days (cut-off to cut-off) the charged part of the visit falls on, up to `now`
    /// while it is open. Nothing while the rate has not taken over, or when the visit ended first.
    public func days(zone: LocalZone, now: Date) -> [LocalDate] {
        let end = checkedOutAt ?? now
        guard end > chargedFrom else { return [] }
        var days = [zone.day(of: chargedFrom)]
        while zone.start(of: zone.adding(days: 1, to: days.last!)) < end {
            days.append(zone.adding(days: 1, to: days.last!))
        }
        return days
    }

    /// Seconds charged inside the interval; an open visit counts up to `now`.
    public func seconds(within interval: DateInterval, now: Date) -> TimeInterval {
        let end = min(checkedOutAt ?? now, interval.end)
        return max(0, end.timeIntervalSince(max(chargedFrom, interval.start)))
    }
}

/// A customer's pay-as-you-go charge for one location day, as the rules compute it.
public enum PayAsYouGo {
    /// The interval of a location day: from its cut-off to the next.
    public static func interval(of day: LocalDate, zone: LocalZone) -> DateInterval {
        DateInterval(start: zone.start(of: day), end: zone.start(of: zone.adding(days: 1, to: day)))
    }

    /// The day's charge for these visits (of one customer at one location) under `rate`.
    public static func charge(_ visits: [ChargedVisit], on day: LocalDate, zone: LocalZone, rate: PayAsYouGoRate, now: Date) -> DayCharge {
        let interval = interval(of: day, zone: zone)
        return rate.charge(seconds: visits.reduce(0) { $0 + $1.seconds(within: interval, now: now) })
    }

    /// Whether the day's charge can no longer change: its cut-off has passed and none of its visits is open.
    public static func isFinal(_ visits: [ChargedVisit], on day: LocalDate, zone: LocalZone, now: Date) -> Bool {
        interval(of: day, zone: zone).end <= now && visits.allSatisfy { $0.checkedOutAt != nil }
    }
}
