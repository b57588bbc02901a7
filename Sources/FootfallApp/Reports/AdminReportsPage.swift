import FootfallCore
import Foundation

/// The admin panel's reports page: presence rows, occupancy charts, customers over their limits.
extension AdminPage {
    /// What the reports page shows besides the presence rows.
    struct Occupancy {
        var location: LocationModel
        var hours: [HourOccupancy]
    }

    static func reports(_ items: [PresenceItem], from: LocalDate, to: LocalDate, groupBy: ReportsController.GroupBy, locationId: UUID?,
                        kind: CustomerKind?, locations: [LocationModel], csvFrom: Date, csvTo: Date, occupancy: [Occupancy],
                        overLimit: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)], user: AdminUserModel, csrf: String) -> String {
        var csv = "/api/v1/reports/presence?format=csv&groupBy=\(groupBy.rawValue)&from=\(RFC3339.format(csvFrom))&to=\(RFC3339.format(csvTo))"
        if let locationId { csv += "&locationId=\(locationId)" }
        if let kind { csv += "&kind=\(kind.rawValue)" }
        return signedIn(title: "Reports", user: user, csrf: csrf) {
            form(.class("filters"), .method("get"), .action("/admin/reports")) {
                div { label(.for("from")) { "From" }; input(.id("from"), .type("date"), .name("from"), .value(from.description)) }
                div { label(.for("to")) { "To" }; input(.id("to"), .type("date"), .name("to"), .value(to.description)) }
                div {
                    label(.for("locationId")) { "Location" }
                    select(.id("locationId"), .name("locationId")) { locationOptions(locations, selected: locationId, any: "All locations") }
                }
                div {
                    label(.for("groupBy")) { "Rows" }
                    select(.id("groupBy"), .name("groupBy")) {
                        for group in ReportsController.GroupBy.allCases { option(.value(group.rawValue), .selected(group == groupBy)) { "By \(group.rawValue)" } }
                    }
                }
                div {
                    label(.for("kind")) { "Who" }
                    select(.id("kind"), .name("kind")) {
                        option(.value(""), .selected(kind == nil)) { "Members and visitors" }
                        option(.value("member"), .selected(kind == .member)) { "Members" }
                        option(.value("visitor"), .selected(kind == .visitor)) { "Visitors" }
                    }
                }
                button(.class("small"), .type("submit")) { "Show" }
                a(.id("csv"), .href(csv), HTMLAttribute("download", "presence.csv")) { "Download CSV" }
            }
            div(.class("table")) {
                table(.id("presence")) {
                    tr { th { groupBy.rawValue.capitalized }; th { "Visits" }; th { "Time" }; th { "Customers" } }
                    for item in items {
                        tr { td { item.label }; td { String(item.visits) }; td { hoursAndMinutes(Double(item.minutes) * 60) }; td { String(item.uniqueCustomers) } }
                    }
                }
                if items.isEmpty { p(.class("muted")) { "Nobody was in." } }
            }
            for occupancy in occupancy {
                section(.data("data-occupancy", occupancy.location.id!.uuidString)) {
                    h2 { "Occupancy at \(occupancy.location.name) per hour" }
                    occupancyChart(occupancy.hours, capacity: occupancy.location.capacity, timeZone: occupancy.location.zone.timeZone)
                    h2 { "A typical week at \(occupancy.location.name)" }
                    heatMap(HourOfWeek(occupancy.hours, zone: occupancy.location.zone))
                }
            }
            h2 { "Over their plan's limits this period" }
            overLimitTable(overLimit)
        }
    }

    private static func overLimitTable(_ rows: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)]) -> Node {
        guard !rows.isEmpty else { return p(.class("muted"), .id("over-limit")) { "Nobody is over their limits." } }
        return div(.class("table")) {
            table(.id("over-limit")) {
                tr { th { "Customer" }; th { "Plan" }; th { "Time" }; th { "Days" } }
                for (customer, plan, usage) in rows {
                    tr {
                        td { a(.href("/admin/customers/\(customer.id!)")) { customer.name } }
                        td { plan.name }
                        td { usage.limits?.hours.map { "\(hoursAndMinutes(usage.usedSeconds)) of \(hoursAndMinutes($0 * 3600))" } ?? hoursAndMinutes(usage.usedSeconds) }
                        td { usage.limits?.days.map { "\(usage.usedDays.count) of \($0)" } ?? "\(usage.usedDays.count)" }
                    }
                }
            }
        }
    }

    static func hoursAndMinutes(_ seconds: TimeInterval) -> String {
        let minutes = Int(saturating: (seconds / 60).rounded())
        return "\(minutes / 60) h \(minutes % 60) min"
    }
}
