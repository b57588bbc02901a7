import Foundation

/// A span of a day, start inclusive and end exclusive.
public struct DailyRange: Hashable, Sendable {
    public let start: LocalTime
    public let end: LocalTime

    public init?(start: LocalTime, end: LocalTime) {
        guard start < end else { return nil }
        self.start = start
        self.end = end
    }

    public func contains(_ time: LocalTime) -> Bool { start <= time && time < end }
}

/// Opening hours or access hours: for each weekday, the local times that are inside.
/// A weekday that is not named is closed all day.
public struct WeeklySchedule: Hashable, Sendable {
    public var days: [Weekday: [DailyRange]]

    public init(days: [Weekday: [DailyRange]]) { self.days = days }

    /// Why a schedule as written in the API (`{"mon":[["08:00","20:00"]]}`) cannot be read.
    public enum ParseError: Error, Equatable, Sendable {
        case unknownWeekday(String)
        case malformedRange(weekday: String, index: Int)
    }

    public init(wire: [String: [[String]]]) throws(ParseError) {
        var days: [Weekday: [DailyRange]] = [:]
        for (key, ranges) in wire {
            guard let weekday = Weekday(rawValue: key) else { throw .unknownWeekday(key) }
            days[weekday] = try ranges.enumerated().map { (index, pair) throws(ParseError) in
                guard pair.count == 2, let start = LocalTime(pair[0]), let end = LocalTime(pair[1]),
                      let range = DailyRange(start: start, end: end)
                else { throw .malformedRange(weekday: key, index: index) }
                return range
            }
        }
        self.days = days
    }

    public var wire: [String: [[String]]] {
        Dictionary(uniqueKeysWithValues: days.map { weekday, ranges in
            (weekday.rawValue, ranges.map { [$0.start.description, $0.end.description] })
        })
    }

    /// Whether the instant falls inside the schedule on the location's wall clock.
    public func contains(_ instant: Date, in zone: LocalZone) -> Bool {
        let (weekday, time) = zone.weekdayAndTime(of: instant)
        return days[weekday, default: []].contains { $0.contains(time) }
    }
}
