import FootfallCore
import Foundation

/// The admin panel's check-in, failed check-ins and reports pages.
extension AdminPage {
    enum Message: HTMLVocabulary {
        case good(String)
        case bad(String)

        var node: Node {
            switch self {
            case .good(let text): Self.p(.class("ok"), .role("status"), .id("message")) { text }
            case .bad(let text): Self.p(.class("error"), .role("alert"), .id("message")) { text }
            }
        }
    }

    /// A `datetime-local` value (`2026-11-26T09:30`) on a location's clock.
    static func parseLocal(_ text: String, in zone: TimeZone) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return RFC3339.accepted.contains(date) ? date : nil }
        }
        return nil
    }

    private static func options(_ locations: [LocationModel], selected: UUID?, any: String?) -> [Node] {
        (any.map { anyLabel in [option(.value("")) { anyLabel }] } ?? []) + locations.map { location in
            option(.value(location.id!.uuidString), .selected(location.id == selected)) { location.name }
        }
    }

    static func checkIn(query: String, found: [CustomerModel], locations: [LocationModel], message: Message?,
                        user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Check in", user: user, csrf: csrf) {
            message?.node
            form(.class("filters"), .method("get"), .action("/admin/check-in"), .id("search")) {
                div {
                    label(.for("q")) { "Customer" }
                    input(.id("q"), .name("q"), .value(query), .placeholder("Name or email"), .autocomplete("off"), .autofocus,
                          .data("data-search-as-you-type", "results"))
                }
                button(.class("small"), .type("submit")) { "Search" }
            }
            div(.class("results"), .id("results")) {
                if !query.isEmpty, found.isEmpty { p(.class("muted")) { "No customer matches." } }
                if !query.isEmpty {
                    for customer in found {
                        postForm("/admin/check-in?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", csrf: csrf, .class("card")) {
                            input(.type("hidden"), .name("customerId"), .value(customer.id!.uuidString))
                            strong { customer.name; br; span(.class("muted")) { customer.email } }
                            select(.name("locationId"), .ariaLabel("Location")) { options(locations, selected: nil, any: nil) }
                            input(.type("datetime-local"), .name("at"), .ariaLabel("At (empty: now)"), .title("Empty: now"))
                            button(.class("primary"), .type("submit"), .data("data-check-in", customer.id!.uuidString)) { "Check in" }
                        }
                    }
                }
            }
        }
    }

    static func failed(_ rows: [FailedCheckInModel], names: [UUID: String], locations: [LocationModel],
                       filter: (reason: ReasonCode?, locationId: UUID?, day: LocalDate?), assignable: Set<String>, customers: [CustomerModel],
                       message: Message?, user: AdminUserModel, csrf: String) -> String {
        let locationNames = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, ($0.name, $0.zone.timeZone)) })
        return signedIn(title: "Failed check-ins", user: user, csrf: csrf) {
            message?.node
            datalist(.id("customer-emails")) {
                for customer in customers { option(.value(customer.email)) { customer.name } }
            }
            form(.class("filters"), .method("get"), .action("/admin/failed")) {
                div {
                    label(.for("reason")) { "Reason" }
                    select(.id("reason"), .name("reason")) {
                        option(.value("")) { "Any reason" }
                        for reason in ReasonCode.allCases { option(.value(reason.rawValue), .selected(reason == filter.reason)) { words(for: reason) } }
                    }
                }
                div {
                    label(.for("locationId")) { "Location" }
                    select(.id("locationId"), .name("locationId")) { options(locations, selected: filter.locationId, any: "Any location") }
                }
                div { label(.for("date")) { "Date" }; input(.id("date"), .type("date"), .name("date"), .value(filter.day?.description ?? "")) }
                button(.class("small"), .type("submit")) { "Filter" }
            }
            div(.class("table")) {
                table(.id("failed")) {
                    tr { th { "When" }; th { "Where" }; th { "Who" }; th { "How" }; th { "Why" }; th() }
                    for row in rows {
                        let (place, zone) = locationNames[row.locationId] ?? ("", .gmt)
                        tr {
                            td { row.at.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)) }
                            td { place }
                            td { row.customerId.flatMap { names[$0] } ?? row.credential.map { "Unknown: \($0)" } ?? "Unknown" }
                            td { row.method }
                            td { words(for: ReasonCode(rawValue: row.reason) ?? .unknownCredential) }
                            td {
                                if let number = row.cardNumber, assignable.contains(number) {
                                    postForm("/admin/failed/\(row.id!)/assign", csrf: csrf, .class("assign")) {
                                        input(.name("customer"), .type("email"), .list("customer-emails"), .placeholder("Customer's email"),
                                              .ariaLabel("Assign to customer"), .required)
                                        button(.class("small"), .type("submit"), .data("data-assign", row.id!.uuidString)) { "Assign card" }
                                    }
                                }
                            }
                        }
                    }
                }
                if rows.isEmpty { p(.class("muted")) { "No failed check-ins." } }
            }
        }
    }

    /// What the reports page shows besides the presence rows.
    struct Occupancy {
        var location: LocationModel
        var hours: [HourOccupancy]
    }

    static func reports(_ items: [PresenceItem], from: LocalDate, to: LocalDate, groupBy: ReportsController.GroupBy, locationId: UUID?,
                        locations: [LocationModel], csvFrom: Date, csvTo: Date, occupancy: [Occupancy],
                        overLimit: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)], user: AdminUserModel, csrf: String) -> String {
        var csv = "/api/v1/reports/presence?format=csv&groupBy=\(groupBy.rawValue)&from=\(RFC3339.format(csvFrom))&to=\(RFC3339.format(csvTo))"
        if let locationId { csv += "&locationId=\(locationId)" }
        return signedIn(title: "Reports", user: user, csrf: csrf) {
            form(.class("filters"), .method("get"), .action("/admin/reports")) {
                div { label(.for("from")) { "From" }; input(.id("from"), .type("date"), .name("from"), .value(from.description)) }
                div { label(.for("to")) { "To" }; input(.id("to"), .type("date"), .name("to"), .value(to.description)) }
                div {
                    label(.for("locationId")) { "Location" }
                    select(.id("locationId"), .name("locationId")) { options(locations, selected: locationId, any: "All locations") }
                }
                div {
                    label(.for("groupBy")) { "Rows" }
                    select(.id("groupBy"), .name("groupBy")) {
                        for group in ReportsController.GroupBy.allCases { option(.value(group.rawValue), .selected(group == groupBy)) { "By \(group.rawValue)" } }
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
