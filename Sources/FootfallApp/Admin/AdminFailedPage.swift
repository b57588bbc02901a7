import FootfallCore
import Foundation

/// The admin panel's failed check-ins, with a form to give an unknown card to its holder.
extension AdminPage {
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
                    select(.id("locationId"), .name("locationId")) { locationOptions(locations, selected: filter.locationId, any: "Any location") }
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
}
