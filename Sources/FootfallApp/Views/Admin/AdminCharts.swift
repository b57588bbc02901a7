import FootfallCore
import Foundation

/// The reports page's charts, drawn by the server as inline SVG: no scripts, no libraries.
extension AdminPage {
    /// Peak people in for each hour as bars, the hour's average as a line over them, and the
    /// location's capacity as a dashed line.
    static func occupancyChart(_ hours: [HourOccupancy], capacity: Int?, timeZone: TimeZone) -> String {
        let width = 960.0, height = 240.0, left = 40.0, bottom = 26.0, top = 10.0
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let highest = max(hours.map(\.peak).max() ?? 0, capacity ?? 0, 1)
        let step = plotWidth / Double(max(hours.count, 1))
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / Double(highest)) }
        let hourLabel = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: timeZone)
        let bars = hours.enumerated().filter { $0.element.peak > 0 }.map { index, hour in
            let x = left + Double(index) * step
            return "<rect x=\"\(format(x))\" y=\"\(format(y(Double(hour.peak))))\" width=\"\(format(max(step - 0.5, 0.5)))\" "
                + "height=\"\(format(plotHeight * Double(hour.peak) / Double(highest)))\" class=\"peak\">"
                + "<title>\(escapeHTML(hour.start.formatted(hourLabel))): peak \(hour.peak), average \(hour.average)</title></rect>"
        }.joined()
        let averages = hours.enumerated().map { index, hour in "\(format(left + (Double(index) + 0.5) * step)),\(format(y(hour.average)))" }
        // A label at the start of each local day, thinned to about ten.
        let calendar = { var calendar = Calendar(identifier: .gregorian); calendar.timeZone = timeZone; return calendar }()
        let dayStarts = hours.indices.filter { calendar.component(.hour, from: hours[$0].start) == 0 }
        let every = max(1, Int((Double(dayStarts.count) / 10).rounded(.up)))
        let dayLabel = Date.FormatStyle(timeZone: timeZone).day().month(.abbreviated)
        let xLabels = dayStarts.enumerated().filter { $0.offset % every == 0 }.map { _, index in
            let x = left + Double(index) * step
            return "<line x1=\"\(format(x))\" x2=\"\(format(x))\" y1=\"\(top)\" y2=\"\(top + plotHeight)\" class=\"grid\"/>"
                + "<text x=\"\(format(x + 3))\" y=\"\(height - 8)\">\(escapeHTML(hours[index].start.formatted(dayLabel)))</text>"
        }.joined()
        let yLabels = Set([0, highest / 2, highest]).sorted().map { value in
            "<text x=\"\(left - 6)\" y=\"\(format(y(Double(value)) + 4))\" text-anchor=\"end\">\(value)</text>"
                + "<line x1=\"\(left)\" x2=\"\(width - 8)\" y1=\"\(format(y(Double(value))))\" y2=\"\(format(y(Double(value))))\" class=\"grid\"/>"
        }.joined()
        let capacityLine = capacity.map {
            "<line x1=\"\(left)\" x2=\"\(width - 8)\" y1=\"\(format(y(Double($0))))\" y2=\"\(format(y(Double($0))))\" class=\"capacity\">"
                + "<title>Capacity \($0)</title></line>"
        } ?? ""
        return """
            <svg class="chart occupancy-chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="People in per hour: peak (bars) and average (line)">
            \(yLabels)\(xLabels)\(bars)\(capacityLine)
            <polyline class="average" points="\(averages.joined(separator: " "))"/>
            </svg>
            """
    }

    /// The average number of people in for each hour of a typical week, darker for more.
    static func heatMap(_ week: HourOfWeek) -> String {
        let cell = 34.0, rowHeight = 24.0, left = 44.0, top = 20.0
        let highest = max(week.highest, 0.01)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        var cells = ""
        for (day, name) in days.enumerated() {
            cells += "<text x=\"\(left - 8)\" y=\"\(format(top + Double(day) * rowHeight + 16))\" text-anchor=\"end\">\(name)</text>"
            for hour in 0..<24 {
                let x = left + Double(hour) * cell, y = top + Double(day) * rowHeight
                let hours = String(format: "%02d:00–%02d:00", hour, hour + 1)
                guard let average = week.averages[day][hour] else {
                    cells += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(cell - 2)\" height=\"\(rowHeight - 2)\" class=\"none\">"
                        + "<title>\(name) \(hours): not in the range</title></rect>"
                    continue
                }
                let shade = average == 0 ? 0 : 0.12 + 0.88 * average / highest
                cells += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(cell - 2)\" height=\"\(rowHeight - 2)\" class=\"heat\" "
                    + "fill-opacity=\"\(format(shade))\" data-average=\"\(format(average))\">"
                    + "<title>\(name) \(hours): \(format(average)) people on average</title></rect>"
            }
        }
        let hourLabels = stride(from: 0, to: 24, by: 3).map {
            "<text x=\"\(format(left + Double($0) * cell))\" y=\"\(top - 6)\">\(String(format: "%02d", $0))</text>"
        }.joined()
        return """
            <svg class="chart heat-map" viewBox="0 0 \(Int(left + 24 * cell)) \(Int(top + 7 * rowHeight + 4))" role="img" aria-label="Average people in by hour of the week">
            \(hourLabels)\(cells)
            </svg>
            """
    }

    /// A number for SVG: at most two decimals, no exponent.
    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static let chartStyle = """
        .chart { width: 100%; height: auto; background: #fff; border: 1px solid #d9dce3; border-radius: .75rem; }
        .chart text { font-size: 11px; fill: var(--muted); }
        .chart .grid { stroke: #eceef2; }
        .chart .peak { fill: #0b7a7540; }
        .chart .average { fill: none; stroke: var(--accent); stroke-width: 1.5; }
        .chart .capacity { stroke: var(--bad); stroke-dasharray: 6 4; }
        .chart .heat { fill: var(--accent); stroke: #d9dce3; stroke-width: .5; }
        .chart .none { fill: #f1f2f5; }
        """
}
