import FootfallCore
import Foundation

/// The reports page's charts, drawn by the server as inline SVG: no scripts, no libraries;
/// their colours are in `Assets/admin.css`.
extension AdminPage {
    /// Peak people in for each hour as bars, the hour's average as a line over them, and the
    /// location's capacity as a dashed line.
    static func occupancyChart(_ hours: [HourOccupancy], capacity: Int?, timeZone: TimeZone) -> Node {
        let width = 960.0, height = 240.0, left = 40.0, bottom = 26.0, top = 10.0
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let highest = max(hours.map(\.peak).max() ?? 0, capacity ?? 0, 1)
        let step = plotWidth / Double(max(hours.count, 1))
        func yAt(_ value: Double) -> Double { top + plotHeight * (1 - value / Double(highest)) }
        func y(_ value: Double) -> String { format(yAt(value)) }
        let hourLabel = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: timeZone)
        let averages = hours.enumerated().map { index, hour in "\(format(left + (Double(index) + 0.5) * step)),\(y(hour.average))" }
        // A label at the start of each local day, thinned to about ten.
        let calendar = { var calendar = Calendar(identifier: .gregorian); calendar.timeZone = timeZone; return calendar }()
        let dayStarts = hours.indices.filter { calendar.component(.hour, from: hours[$0].start) == 0 }
        let every = max(1, Int((Double(dayStarts.count) / 10).rounded(.up)))
        let dayLabel = Date.FormatStyle(timeZone: timeZone).day().month(.abbreviated)
        func horizontal(at value: Double, _ kind: String) -> [HTMLAttribute] {
            [HTMLAttribute("x1", format(left)), HTMLAttribute("x2", format(width - 8)), HTMLAttribute("y1", y(value)), HTMLAttribute("y2", y(value)), .class(kind)]
        }
        return svg(.class("chart occupancy-chart"), HTMLAttribute("viewBox", "0 0 \(Int(width)) \(Int(height))"), .role("img"),
                   .ariaLabel("People in per hour: peak (bars) and average (line)")) {
            for value in Set([0, highest / 2, highest]).sorted() {
                svgText(HTMLAttribute("x", format(left - 6)), HTMLAttribute("y", format(yAt(Double(value)) + 4)), HTMLAttribute("text-anchor", "end")) { String(value) }
                Node.element("line", horizontal(at: Double(value), "grid"), [])
            }
            for (offset, index) in dayStarts.enumerated() where offset % every == 0 {
                let x = left + Double(index) * step
                line(HTMLAttribute("x1", format(x)), HTMLAttribute("x2", format(x)), HTMLAttribute("y1", format(top)), HTMLAttribute("y2", format(top + plotHeight)),
                     .class("grid"))
                svgText(HTMLAttribute("x", format(x + 3)), HTMLAttribute("y", format(height - 8))) { hours[index].start.formatted(dayLabel) }
            }
            for (index, hour) in hours.enumerated() where hour.peak > 0 {
                rect(HTMLAttribute("x", format(left + Double(index) * step)), HTMLAttribute("y", y(Double(hour.peak))),
                     HTMLAttribute("width", format(max(step - 0.5, 0.5))), HTMLAttribute("height", format(plotHeight * Double(hour.peak) / Double(highest))),
                     .class("peak")) {
                    svgTitle("\(hour.start.formatted(hourLabel)): peak \(hour.peak), average \(hour.average)")
                }
            }
            if let capacity { Node.element("line", horizontal(at: Double(capacity), "capacity"), [svgTitle("Capacity \(capacity)")]) }
            polyline(.class("average"), HTMLAttribute("points", averages.joined(separator: " ")))
        }
    }

    /// The average number of people in for each hour of a typical week, darker for more.
    static func heatMap(_ week: HourOfWeek) -> Node {
        let cell = 34.0, rowHeight = 24.0, left = 44.0, top = 20.0
        let highest = max(week.highest, 0.01)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return svg(.class("chart heat-map"), HTMLAttribute("viewBox", "0 0 \(Int(left + 24 * cell)) \(Int(top + 7 * rowHeight + 4))"), .role("img"),
                   .ariaLabel("Average people in by hour of the week")) {
            for hour in stride(from: 0, to: 24, by: 3) {
                svgText(HTMLAttribute("x", format(left + Double(hour) * cell)), HTMLAttribute("y", format(top - 6))) { String(format: "%02d", hour) }
            }
            for (day, name) in days.enumerated() {
                svgText(HTMLAttribute("x", format(left - 8)), HTMLAttribute("y", format(top + Double(day) * rowHeight + 16)), HTMLAttribute("text-anchor", "end")) { name }
                for hour in 0..<24 {
                    let place = [HTMLAttribute("x", format(left + Double(hour) * cell)), HTMLAttribute("y", format(top + Double(day) * rowHeight)),
                                 HTMLAttribute("width", format(cell - 2)), HTMLAttribute("height", format(rowHeight - 2))]
                    let hours = String(format: "%02d:00–%02d:00", hour, hour + 1)
                    if let average = week.averages[day][hour] {
                        let shade = average == 0 ? 0 : 0.12 + 0.88 * average / highest
                        Node.element("rect", place + [.class("heat"), HTMLAttribute("fill-opacity", format(shade)), .data("data-average", format(average))],
                                     [svgTitle("\(name) \(hours): \(format(average)) people on average")])
                    } else {
                        Node.element("rect", place + [.class("none")], [svgTitle("\(name) \(hours): not in the range")])
                    }
                }
            }
        }
    }

    /// A number for SVG: at most two decimals, no exponent.
    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
