import Foundation

/// A location's wall clock: its time zone and the daily cut-off at which its "day" begins.
///
/// Every rule that speaks of days, weeks, months or times of day goes through here, so that
/// daylight-saving changes and cut-offs other than midnight are handled in one place.
public struct LocalZone: Sendable {
    public let timeZone: TimeZone
    public let cutoff: LocalTime
    private let calendar: Calendar
    /// The last `nextCutoff` worked out, by the day it follows: the writer asks for the same
    /// one for every visit it opens there that day.
    private let lastCutoff = LastCutoff()

    public init(timeZone: TimeZone, cutoff: LocalTime = .midnight) {
        self.timeZone = timeZone
        self.cutoff = cutoff.minutes == 1440 ? .midnight : cutoff
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2 // weeks start on Monday, as ISO 8601 has it
        calendar.minimumDaysInFirstWeek = 4
        self.calendar = calendar
    }

    public func weekdayAndTime(of instant: Date) -> (Weekday, LocalTime) {
        let clock = ClockFace(instant, in: timeZone)
        return (clock.weekday, clock.time)
    }

    /// The calendar date on the wall clock at that instant.
    public func calendarDate(of instant: Date) -> LocalDate {
        ClockFace(instant, in: timeZone).date
    }

    /// The location's day that the instant belongs to: it runs from one cut-off to the next and
    /// is named by the date on which it starts.
    public func day(of instant: Date) -> LocalDate {
        let clock = ClockFace(instant, in: timeZone)
        return clock.time < cutoff ? adding(days: -1, to: clock.date) : clock.date
    }

    /// The instant at which the location's day `date` begins (its cut-off).
    public func start(of date: LocalDate) -> Date {
        var parts = DateComponents()
        parts.year = date.year
        parts.month = date.month
        parts.day = date.day
        parts.hour = cutoff.hour
        parts.minute = cutoff.minute
        // A cut-off inside a spring-forward gap moves on by the gap (02:30 becomes 03:30);
        // one in the repeated hour of autumn falls at its first occurrence.
        return calendar.date(from: parts)!
    }

    /// The first cut-off strictly after the instant: when an open visit started then is closed.
    public func nextCutoff(after instant: Date) -> Date {
        let day = day(of: instant)
        if let last = lastCutoff.last, last.day == day { return last.next }
        let next = start(of: adding(days: 1, to: day))
        lastCutoff.last = (day, next)
        return next
    }

    public func adding(days: Int, to date: LocalDate) -> LocalDate {
        var parts = DateComponents()
        parts.year = date.year
        parts.month = date.month
        parts.day = date.day
        parts.hour = 12
        let noon = calendar.date(from: parts)!
        return calendarDate(of: calendar.date(byAdding: .day, value: days, to: noon)!)
    }

    /// The calendar week (Monday to Sunday) or month that contains the instant, from local midnight.
    public func period(_ period: LimitPeriod, containing instant: Date) -> DateInterval {
        let component: Calendar.Component = period == .week ? .weekOfYear : .month
        return calendar.dateInterval(of: component, for: instant)!
    }
}

/// What a wall clock in a time zone shows at an instant, worked out from the zone's offset from
/// UTC at that instant, which is what `Calendar` does too: the Gregorian calendar's date, weekday
/// and time of day of the instant moved by the offset, counted in days from 1970-01-01 (a
/// Thursday). `Calendar.dateComponents` built and hashed a set of components and a
/// `DateComponents` each time, about 5 % of the writer's thread under card load (`perf`); this is
/// one offset look-up and integer arithmetic. (`Calendar` counts Julian dates before
/// 15 October 1582; no visit is that old.)
private struct ClockFace {
    let days: Int
    let seconds: Int

    init(_ instant: Date, in zone: TimeZone) {
        // Whole seconds counted from 2001, as `Date` keeps time and `Calendar` counts: counted
        // from 1970, an instant a fraction of a microsecond before a second can round up to it.
        let local = Int(instant.timeIntervalSinceReferenceDate.rounded(.down)) + 978_307_200 + zone.secondsFromGMT(for: instant)
        let (quotient, remainder) = local.quotientAndRemainder(dividingBy: 86_400)
        days = remainder < 0 ? quotient - 1 : quotient
        seconds = remainder < 0 ? remainder + 86_400 : remainder
    }

    var time: LocalTime { LocalTime(minutes: seconds / 60)! }

    var weekday: Weekday {
        let sinceThursday = (days % 7 + 7) % 7
        return Weekday(gregorianWeekday: (sinceThursday + 4) % 7 + 1)
    }

    var date: LocalDate { LocalDate(daysSince1970: days) }
}

/// `LocalZone`'s last worked-out cut-off, shared by the copies of one zone.
private final class LastCutoff: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (day: LocalDate, next: Date)?

    var last: (day: LocalDate, next: Date)? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
