import FootfallCore
import Foundation

/// The admin panel's customer list and customer page.
extension AdminPage {
    /// What an upload of customers came to.
    enum ImportResult {
        case done(CustomerImport.Summary, dryRun: Bool)
        case refused([CustomerImport.Problem])
    }

    static func customers(_ found: [CustomerModel], plans: [UUID: String], query: String, imported: ImportResult? = nil,
                          user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Customers", user: user, csrf: csrf) {
            switch imported {
            case .done(let summary, let dryRun)?:
                Message.good("\(dryRun ? "Checked, nothing written: would create" : "Imported: created") \(summary.created), "
                    + "\(dryRun ? "update" : "updated") \(summary.updated), unchanged \(summary.unchanged).").node
            case .refused(let problems)?:
                Message.bad("Nothing was imported: \(problems.count) bad \(problems.count == 1 ? "line" : "lines").").node
                div(.class("table")) {
                    table(.id("import-errors")) {
                        tr { th { "Line" }; th { "Column" }; th { "Problem" } }
                        for problem in problems { tr { td { String(problem.line) }; td { problem.column }; td { problem.detail } } }
                    }
                }
            case nil:
                Node.group([])
            }
            form(.class("filters"), .method("get"), .action("/admin/customers")) {
                div { label(.for("q")) { "Search" }; input(.id("q"), .name("q"), .value(query), .placeholder("Name or email")) }
                button(.class("small"), .type("submit")) { "Search" }
            }
            div(.class("table")) {
                table(.id("customers")) {
                    tr { th { "Name" }; th { "Email" }; th { "Plan" }; th() }
                    for customer in found {
                        tr {
                            td { a(.href("/admin/customers/\(customer.id!)")) { customer.name } }
                            td { customer.email }
                            td { customer.planId.flatMap { plans[$0] } ?? "No plan" }
                            td { customer.active ? "" : "Deactivated" }
                        }
                    }
                }
                if found.isEmpty { p(.class("muted")) { "No customers." } }
            }
            h2 { "Import customers" }
            postForm("/admin/customers/import", csrf: csrf, .class("filters"), HTMLAttribute("enctype", "multipart/form-data")) {
                div {
                    label(.for("file")) { "CSV file: name, email, kind, plan, active, pin, cards, externalIds, passes" }
                    input(.id("file"), .name("file"), .type("file"), HTMLAttribute("accept", ".csv,text/csv"), .required)
                }
                label(.class("check")) { input(.type("checkbox"), .name("dryRun"), .value("true")); " Only check it" }
                button(.class("small"), .type("submit")) { "Import" }
            }
        }
    }

    /// What the customer page shows besides the customer.
    struct CustomerDetails {
        var plan: PlanModel?
        var usage: UsageDTO
        var passes: [PassDTO]
        var cards: [CardModel]
        var tokens: [AccessTokenDTO]
        var charges: [Ledger.Charge]
        var currency: String
        var visits: [CheckInModel]
        var changes: [AuditEntryModel]
        var locations: [UUID: LocationModel]
    }

    static func customer(_ customer: CustomerModel, _ details: CustomerDetails, message: Message?, user: AdminUserModel, csrf: String) -> String {
        let (plan, usage, passes, cards, visits, changes, locations) = (details.plan, details.usage, details.passes, details.cards,
                                                                          details.visits, details.changes, details.locations)
        let id = customer.id!
        // This period's hours and days against the plan's limits, as bars.
        var bars: [Node] = []
        if let limits = usage.limits {
            if let hours = limits.hours {
                bars += bar("Hours this \(limits.period)", used: Double(usage.usedMinutes) / 60, limit: hours, unit: "h")
            }
            if let days = limits.days {
                bars += bar("Days this \(limits.period)", used: Double(usage.usedDays), limit: Double(days), unit: "days")
            }
        }
        return signedIn(title: customer.name, user: user, csrf: csrf) {
            message?.node
            p(.class("muted")) {
                "\(customer.email) · \(plan?.name ?? "No plan")\(customer.active ? "" : " · deactivated") · PIN \(customer.pinHash == nil ? "not set" : "set")"
            }
            div(.class("cards")) {
                section(.class("card")) {
                    h2 { "Usage" }
                    if bars.isEmpty { p(.class("muted")) { "No limits on this plan." } } else { bars }
                }
                section(.class("card")) {
                    h2 { "Passes" }
                    if passes.isEmpty {
                        p(.class("muted")) { "No passes." }
                    } else {
                        table(.id("passes")) {
                            for pass in passes {
                                tr {
                                    td { pass.kind == "time" ? "Time pass" : "Day pass" }
                                    td {
                                        pass.kind == "time" ? "\(pass.remainingMinutes ?? 0) of \(pass.minutes ?? 0) min left"
                                            : pass.usedOn.isEmpty ? "unused" : "used on \(pass.usedOn.joined(separator: ", "))"
                                    }
                                }
                            }
                        }
                    }
                    postForm("/admin/customers/\(id)/passes", csrf: csrf) {
                        input(.type("hidden"), .name("kind"), .value("day"))
                        button(.class("small"), .type("submit")) { "Add a day pass" }
                    }
                    postForm("/admin/customers/\(id)/passes", csrf: csrf, .class("filters")) {
                        input(.type("hidden"), .name("kind"), .value("time"))
                        div {
                            label(.for("minutes")) { "Time pass (minutes)" }
                            input(.id("minutes"), .name("minutes"), .type("number"), HTMLAttribute("min", "1"), .required)
                        }
                        button(.class("small"), .type("submit")) { "Add" }
                    }
                }
                section(.class("card")) {
                    h2 { "Cards" }
                    if cards.isEmpty {
                        p(.class("muted")) { "No cards." }
                    } else {
                        table(.id("cards")) { for card in cards { tr { td { code { card.normalized } } } } }
                    }
                    postForm("/admin/customers/\(id)/cards", csrf: csrf, .class("filters")) {
                        div { label(.for("number")) { "Card number" }; input(.id("number"), .name("number"), .required, .autocomplete("off")) }
                        button(.class("small"), .type("submit")) { "Add card" }
                    }
                }
                section(.class("card")) {
                    h2 { "Wi-Fi logins" }
                    if details.tokens.isEmpty {
                        p(.class("muted")) { "No Wi-Fi logins." }
                    } else {
                        table(.id("tokens")) {
                            for token in details.tokens {
                                tr {
                                    td { code { token.username } }
                                    td { tokenAllowance(token, zone: locations.values.first?.zone.timeZone ?? .gmt) }
                                    td { "\(token.devicesOnline) online" + (token.maxDevices.map { " of \($0)" } ?? "") }
                                }
                            }
                        }
                    }
                    postForm("/admin/customers/\(id)/access-tokens", csrf: csrf, .class("filters")) {
                        div {
                            label(.for("tokenMinutes")) { "Minutes (empty: a login only)" }
                            input(.id("tokenMinutes"), .name("minutes"), .type("number"), HTMLAttribute("min", "1"))
                        }
                        div {
                            label(.for("tokenDevices")) { "Devices at once" }
                            input(.id("tokenDevices"), .name("maxDevices"), .type("number"), HTMLAttribute("min", "1"), HTMLAttribute("max", "100"))
                        }
                        button(.class("small"), .type("submit")) { "New login" }
                    }
                }
                section(.class("card")) {
                    h2 { "Pay-as-you-go" }
                    p { "Own rate: \(rateText(customer.payAsYouGo.rate, currency: details.currency))" }
                    if let planRate = plan?.payAsYouGo.rate, customer.payAsYouGo.rate == nil {
                        p(.class("muted")) { "The plan's rate applies: \(rateText(planRate, currency: details.currency))" }
                    }
                    postForm("/admin/customers/\(id)/rate", csrf: csrf) {
                        rateFields(RateFields(customer.payAsYouGo.rate, currency: details.currency), currency: details.currency)
                        button(.class("small"), .type("submit")) { "Save rate" }
                    }
                    if !details.charges.isEmpty {
                        table(.id("charges")) {
                            tr { th { "Day" }; th { "Where" }; th { "Minutes" }; th { "Amount" }; th() }
                            for charge in details.charges {
                                tr {
                                    td { charge.day.description }
                                    td { locations[charge.locationId]?.name ?? "" }
                                    td { String(charge.minutes) }
                                    td { Money.format(charge.amount, charge.currency) }
                                    td { charge.isFinal ? "final" : "pending" }
                                }
                            }
                        }
                    }
                }
                section(.class("card")) {
                    h2 { "PIN" }
                    p(.class("muted")) { customer.pinHash == nil ? "No PIN yet." : "A PIN is set; it is never shown." }
                    postForm("/admin/customers/\(id)/pin", csrf: csrf, .class("filters")) {
                        div {
                            label(.for("pin")) { "New PIN (4 to 8 digits)" }
                            input(.id("pin"), .name("pin"), .inputmode("numeric"), HTMLAttribute("pattern", "[0-9]{4,8}"), .required, .autocomplete("off"))
                        }
                        button(.class("small"), .type("submit")) { "Set PIN" }
                    }
                }
            }
            h2 { "Recent visits" }
            div(.class("table")) {
                table(.id("visits")) {
                    tr { th { "Where" }; th { "When" }; th { "How" }; th() }
                    for visit in visits {
                        let zone = locations[visit.locationId]?.zone.timeZone ?? .gmt
                        let out = visit.checkedOutAt.map { $0.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: zone)) } ?? "in now"
                        tr {
                            td { locations[visit.locationId]?.name ?? "" }
                            td { "\(visit.checkedInAt.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone))) – \(out)" }
                            td { visit.method }
                            td { correction(of: visit, customer: id, zone: zone, csrf: csrf) }
                        }
                    }
                }
                if visits.isEmpty { p(.class("muted")) { "No visits yet." } }
            }
            if !changes.isEmpty {
                h2 { "Corrections" }
                div(.class("table")) {
                    table(.id("corrections")) {
                        tr { th { "When" }; th { "Who" }; th { "What" } }
                        // Who changed which visit's times, when; all on the visit's location's clock.
                        for change in changes {
                            let zone = visits.first { $0.id == change.subjectId }.flatMap { locations[$0.locationId] }?.zone.timeZone ?? .gmt
                            let style = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)
                            let time = { (key: String) in change.details[key].flatMap(RFC3339.parse)?.formatted(style) ?? "open" }
                            tr {
                                td { change.at.formatted(style) }
                                td { change.actor }
                                td { "in \(time("checkedInAt.before")) → \(time("checkedInAt.after")); out \(time("checkedOutAt.before")) → \(time("checkedOutAt.after"))" }
                            }
                        }
                    }
                }
            }
        }
    }

    /// What a token allows by itself, in words.
    private static func tokenAllowance(_ token: AccessTokenDTO, zone: TimeZone) -> String {
        guard token.hasAllowance else { return "login only" }
        var parts: [String] = []
        if let minutes = token.minutes { parts.append("\(token.remainingMinutes ?? 0) of \(minutes) min left") }
        if let until = token.validUntil { parts.append("until \(until.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)))") }
        return parts.isEmpty ? "admits on Wi-Fi" : parts.joined(separator: ", ")
    }

    /// A folded form to correct a visit's times, on its location's clock.
    private static func correction(of visit: CheckInModel, customer: UUID, zone: TimeZone, csrf: String) -> Node {
        let local = Date.VerbatimFormatStyle(format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                                             timeZone: zone, calendar: Calendar(identifier: .gregorian))
        return details {
            summary { "Correct" }
            postForm("/admin/customers/\(customer)/visits/\(visit.id!)", csrf: csrf, .class("filters")) {
                div { label { "In" }; input(.type("datetime-local"), .name("checkedInAt"), .value(visit.checkedInAt.formatted(local)), .required) }
                div { label { "Out" }; input(.type("datetime-local"), .name("checkedOutAt"), .value(visit.checkedOutAt.map { $0.formatted(local) } ?? "")) }
                button(.class("small"), .type("submit"), .data("data-correct", visit.id!.uuidString)) { "Save" }
            }
        }
    }

    /// Used against the limit, in words and as a bar drawn in SVG (an inline style would need
    /// the Content-Security-Policy to allow inline styles).
    private static func bar(_ title: String, used: Double, limit: Double, unit: String) -> [Node] {
        let share = limit > 0 ? min(1, used / limit) : 1
        let over = used > limit
        return [
            p {
                "\(title): "
                strong { "\(String(format: "%.1f", used)) of \(String(format: "%g", limit)) \(unit)" }
                if over { " "; span(.class("error")) { "over the limit" } }
            },
            svg(.class("bar"), .role("meter"), HTMLAttribute("aria-valuenow", "\(used)"), HTMLAttribute("aria-valuemax", "\(limit)"),
                HTMLAttribute("viewBox", "0 0 100 6"), HTMLAttribute("preserveAspectRatio", "none")) {
                rect(.class("track"), HTMLAttribute("width", "100"), HTMLAttribute("height", "6"))
                rect(.class(over ? "used over" : "used"), HTMLAttribute("width", String(Int(share * 100))), HTMLAttribute("height", "6"))
            },
        ]
    }
}
