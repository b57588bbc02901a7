import Foundation
import Vapor

struct PresenceItem: WireObject {
    var key: String
    var label: String
    var visits: Int
    var minutes: Int
    var uniqueCustomers: Int

    static func minutes(_ seconds: Double) -> Int { Int((max(0, seconds) / 60).rounded()) }

    /// The rows as CSV (RFC 4180), with a header line; names cannot become formulas.
    static func csv(_ items: [PresenceItem]) -> String {
        CSV.line(["key", "label", "visits", "minutes", "uniqueCustomers"]) + items.map { item in
            CSV.line([CSV.text(item.key), CSV.text(item.label), String(item.visits), String(item.minutes), String(item.uniqueCustomers)])
        }.joined()
    }
}

struct PresenceReportDTO: WireObject {
    var items: [PresenceItem]
}

struct OccupancyHourDTO: WireObject {
    var start: Date
    var peak: Int
    var average: Double
}

struct OccupancyReportDTO: WireObject {
    var items: [OccupancyHourDTO]
}
