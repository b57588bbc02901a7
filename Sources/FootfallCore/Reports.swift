import Foundation

/// A stretch of presence: one visit, or the part of it inside a report's range.
public struct PresenceSpan: Hashable, Sendable {
    public var customer: UUID
    public var start: Date
    public var end: Date

    public init(customer: UUID, start: Date, end: Date) {
        self.customer = customer
        self.start = start
        self.end = end
    }

    /// The part inside `[from, to)`, or nil when none is.
    public func clipped(from: Date, to: Date) -> PresenceSpan? {
        let start = max(self.start, from), end = min(self.end, to)
        return end > start ? PresenceSpan(customer: customer, start: start, end: end) : nil
    }
}

/// Presence per location day (cut-off to cut-off): a visit across a cut-off counts on each day
/// it touches, with the seconds it spent in each.
public struct DayPresence: Hashable, Sendable {
    public var day: LocalDate
    public var visits: Int
    public var seconds: TimeInterval
    public var customers: Set<UUID>

    public init(day: LocalDate, visits: Int, seconds: TimeInterval, customers: Set<UUID>) {
        self.day = day
        self.visits = visits
        self.seconds = seconds
        self.customers = customers
    }

    public static func split(_ spans: [PresenceSpan], zone: LocalZone) -> [LocalDate: DayPresence] {
        var days: [LocalDate: DayPresence] = [:]
        for span in spans where span.end > span.start {
            var day = zone.day(of: span.start)
            var cursor = span.start
            while cursor < span.end {
                let next = zone.start(of: zone.adding(days: 1, to: day))
                let end = min(next, span.end)
                var entry = days[day] ?? DayPresence(day: day, visits: 0, seconds: 0, customers: [])
                entry.visits += 1
                entry.seconds += end.timeIntervalSince(cursor)
                entry.customers.insert(span.customer)
                days[day] = entry
                cursor = end
                day = zone.adding(days: 1, to: day)
            }
        }
        return days
    }
}

/// People in, hour by hour of the location's clock: the most at any moment of the hour, and the
/// average over the hour (person-seconds / the hour's seconds).
public struct HourOccupancy: Hashable, Sendable {
    public var start: Date
    public var peak: Int
    public var average: Double

    public init(start: Date, peak: Int, average: Double) {
        self.start = start
        self.peak = peak
        self.average = average
    }

    /// Every local hour that meets `[from, to)`, first to last, given each stay's `[in, out)`.
    public static func hourly(_ stays: [Range<Date>], from: Date, to: Date, zone: LocalZone) -> [HourOccupancy] {
        guard to > from else { return [] }
        // A visit covers [in, out): someone leaving at the moment another arrives is not in
        // with them, so departures go first.
        var changes: [(at: Date, delta: Int)] = []
        changes.reserveCapacity(stays.count * 2)
        for stay in stays where !stay.isEmpty {
            changes.append((stay.lowerBound, 1))
            changes.append((stay.upperBound, -1))
        }
        changes.sort { $0.at != $1.at ? $0.at < $1.at : $0.delta < $1.delta }

        var hours: [HourOccupancy] = []
        var present = 0, index = 0
        var hourStart = zone.startOfHour(containing: from)
        while hourStart < to {
            let hourEnd = hourStart + 3600
            // Everything before the hour sets who is in when it begins.
            while index < changes.count, changes[index].at <= hourStart {
                present += changes[index].delta
                index += 1
            }
            var peak = present, personSeconds = 0.0, cursor = hourStart
            while index < changes.count, changes[index].at < hourEnd {
                personSeconds += Double(present) * changes[index].at.timeIntervalSince(cursor)
                cursor = changes[index].at
                present += changes[index].delta
                peak = max(peak, present)
                index += 1
            }
            personSeconds += Double(present) * hourEnd.timeIntervalSince(cursor)
            hours.append(HourOccupancy(start: hourStart, peak: peak, average: (personSeconds / 3600 * 100).rounded() / 100))
            hourStart = hourEnd
        }
        return hours
    }
}

extension LocalZone {
    /// The start of the wall-clock hour the instant is in (whole-hour offsets step in hours;
    /// a zone with a half-hour offset still gets its own local hours).
    public func startOfHour(containing instant: Date) -> Date {
        let offset = TimeInterval(timeZone.secondsFromGMT(for: instant))
        let local = instant.timeIntervalSince1970 + offset
        return Date(timeIntervalSince1970: (local / 3600).rounded(.down) * 3600 - offset)
    }
}

/// The average number of people in for each hour of the week (Monday 00–01 … Sunday 23–24, on
/// the location's clock), over the hours of a report: what a heat map of a typical week shows.
public struct HourOfWeek: Hashable, Sendable {
    /// `averages[weekday][hour]`, Monday first; nil where the range has no such hour.
    public var averages: [[Double?]]

    public init(_ hours: [HourOccupancy], zone: LocalZone) {
        var sums = Array(repeating: Array(repeating: 0.0, count: 24), count: 7)
        var counts = Array(repeating: Array(repeating: 0, count: 24), count: 7)
        for hour in hours {
            let (weekday, time) = zone.weekdayAndTime(of: hour.start)
            let day = Weekday.allCases.firstIndex(of: weekday)!, index = time.minutes / 60
            sums[day][index] += hour.average
            counts[day][index] += 1
        }
        var averages: [[Double?]] = Array(repeating: Array(repeating: nil, count: 24), count: 7)
        for day in 0..<7 {
            for hour in 0..<24 where counts[day][hour] > 0 {
                averages[day][hour] = sums[day][hour] / Double(counts[day][hour])
            }
        }
        self.averages = averages
    }

    /// The highest average, for scaling a chart; zero when nobody was in.
    public var highest: Double { averages.joined().compactMap { $0 }.max() ?? 0 }
}
