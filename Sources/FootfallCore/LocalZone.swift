import Foundation

/// A location's wall clock: its time zone and the daily cut-off at which its "day" begins.
///
/// Every rule that speaks of days, weeks, months or times of day goes through here, so that
/// daylight-saving changes and cut-offs other than midnight are handled in one place.
public struct LocalZone: Sendable {
    public let timeZone: TimeZone
    public let cutoff: LocalTime
    private let calendar: Calendar

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
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        return (Weekday(gregorianWeekday: parts.weekday!), LocalTime(minutes: parts.hour! * 60 + parts.minute!)!)
    }

    /// The calendar date on the wall clock at that instant.
    public func calendarDate(of instant: Date) -> LocalDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The location's day that the instant belongs to: it runs from one cut-off to the next and
    /// is named by the date on which it starts.
    public func day(of instant: Date) -> LocalDate {
        let (_, time) = weekdayAndTime(of: instant)
        let date = calendarDate(of: instant)
        return time < cutoff ? adding(days: -1, to: date) : date
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
        start(of: adding(days: 1, to: day(of: instant)))
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
