import FootfallCore
import Foundation

/// The admin panel's check-in page: find a customer, check them in now or at a time on the
/// location's clock.
extension AdminPage {
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
                            select(.name("locationId"), .ariaLabel("Location")) { locationOptions(locations, selected: nil, any: nil) }
                            input(.type("datetime-local"), .name("at"), .ariaLabel("At (empty: now)"), .title("Empty: now"))
                            button(.class("primary"), .type("submit"), .data("data-check-in", customer.id!.uuidString)) { "Check in" }
                        }
                    }
                }
            }
        }
    }
}
