import FootfallCore

/// Opening and access hours as an operator types them in a form, one line per day or run of
/// days: `mon-fri 08:00-20:00`, `sat 10:00-14:00, 15:00-18:00`, `daily 07:00-23:00`. Turned into
/// the API's `{"mon": [["08:00","20:00"]], …}`, whose own checks then apply; empty means none.
enum WeeklyHoursText {
    static func parse(_ text: String, field: String) throws -> [String: [[String]]]? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        var hours: [String: [[String]]] = [:]
        for (number, line) in lines.enumerated() {
            let problem = APIError.invalidRequest(field: field, detail: "line \(number + 1), \"\(line)\": write days then times, such as mon-fri 08:00-20:00.")
            guard let space = line.firstIndex(of: " ") else { throw problem }
            let days = try weekdays(String(line[..<space]).lowercased(), or: problem)
            let ranges = line[space...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var parsed: [[String]] = []
            for range in ranges {
                let ends = range.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                guard ends.count == 2 else { throw problem }
                parsed.append(ends)
            }
            for day in days { hours[day.rawValue, default: []] += parsed }
        }
        return hours
    }

    /// Days that share the same hours in a row are written as one run.
    static func format(_ hours: [String: [[String]]]?) -> String {
        guard let hours else { return "" }
        let days = Weekday.allCases
        var lines: [String] = []
        var index = 0
        while index < days.count {
            guard let ranges = hours[days[index].rawValue], !ranges.isEmpty else { index += 1; continue }
            var end = index
            while end + 1 < days.count, hours[days[end + 1].rawValue] == ranges { end += 1 }
            let run = end == index ? days[index].rawValue : "\(days[index].rawValue)-\(days[end].rawValue)"
            lines.append("\(run) " + ranges.map { $0.joined(separator: "-") }.joined(separator: ", "))
            index = end + 1
        }
        return lines.joined(separator: "\n")
    }

    private static func weekdays(_ text: String, or problem: APIError) throws -> [Weekday] {
        if text == "daily" { return Weekday.allCases }
        var days: [Weekday] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").map { Weekday(rawValue: String($0)) }
            guard let first = ends.first ?? nil, ends.count <= 2 else { throw problem }
            guard ends.count == 2 else { days.append(first); continue }
            guard let last = ends[1], let from = Weekday.allCases.firstIndex(of: first), let to = Weekday.allCases.firstIndex(of: last), from <= to
            else { throw problem }
            days += Weekday.allCases[from...to]
        }
        return days
    }
}
