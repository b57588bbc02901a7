/// A time of day on a wall clock, `HH:MM`, from `00:00` to `24:00` (the end of a day).
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes since local midnight, 0...1440.
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// Parses `HH:MM` with two-digit fields; `24:00` is accepted as the end of the day.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0...59).contains(minute),
              hour < 24 || minute == 0
        else { return nil }
        self.minutes = hour * 60 + minute
    }

    public static let midnight = LocalTime(minutes: 0)!

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    public var description: String {
        let hh = hour < 10 ? "0\(hour)" : "\(hour)"
        let mm = minute < 10 ? "0\(minute)" : "\(minute)"
        return "\(hh):\(mm)"
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }
}

/// A day of the week, keyed as the API writes it.
public enum Weekday: String, CaseIterable, Codable, Sendable {
    case mon, tue, wed, thu, fri, sat, sun

    /// From `Calendar`'s numbering, where 1 is Sunday.
    public init(gregorianWeekday: Int) {
        self = [.sun, .mon, .tue, .wed, .thu, .fri, .sat][(gregorianWeekday - 1) % 7]
    }
}
