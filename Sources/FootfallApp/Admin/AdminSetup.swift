import FootfallCore
import Foundation

/// The admin panel's locations, plans and devices: a list with a form for a new one, and a page
/// to edit each. Forms carry what was typed, so a refused form comes back as it was sent.
extension AdminPage {
    struct LocationForm: Codable, Sendable {
        var name = ""
        var timeZone = "Europe/Berlin"
        var capacity = ""
        var cutoffTime = "00:00"
        var openingHours = ""

        init() {}

        init(_ model: LocationModel) {
            name = model.name
            timeZone = model.timeZone
            capacity = model.capacity.map(String.init) ?? ""
            cutoffTime = model.cutoffTime
            openingHours = WeeklyHoursText.format(model.openingHours)
        }
    }

    struct PlanForm: Codable, Sendable {
        var name = ""
        var locationIds: [String]? = nil
        var accessHours = ""
        var limitPeriod = ""
        var limitHours = ""
        var limitDays = ""
        var limitEnforce: String? = "on"
        var overtime = Overtime.allow.rawValue
        // Optional: a form posted without them (an older page) leaves the plan without a rate.
        var payPrice: String?
        var payIncrement: String?
        var payMinimum: String?
        var payMaximum: String?

        init() {}

        var rate: RateFields {
            get { RateFields(price: payPrice ?? "", increment: payIncrement ?? "", minimum: payMinimum ?? "", maximum: payMaximum ?? "") }
            set { (payPrice, payIncrement, payMinimum, payMaximum) = (newValue.price, newValue.increment, newValue.minimum, newValue.maximum) }
        }

        init(_ model: PlanModel, currency: String) {
            name = model.name
            locationIds = model.locationIds.map(\.uuidString)
            accessHours = WeeklyHoursText.format(model.accessHours)
            limitPeriod = model.limitPeriod ?? ""
            limitHours = model.limitHours.map { $0 == $0.rounded() ? String(Int(saturating: $0)) : String($0) } ?? ""
            limitDays = model.limitDays.map(String.init) ?? ""
            limitEnforce = model.limitEnforce ? "on" : nil
            overtime = model.overtime
            rate = RateFields(model.payAsYouGo.rate, currency: currency)
        }
    }

    struct DeviceForm: Codable, Sendable {
        var name = ""
        var locationId = ""
        var kind = DeviceKind.reader.rawValue
        var direction = Direction.toggle.rawValue
        /// One door per line: its id, then in, out or toggle.
        var doors = ""
        var nasIdentifier = ""
        var nasIp = ""

        init() {}

        init(_ model: DeviceModel) {
            name = model.name
            locationId = model.locationId.uuidString
            kind = model.kind
            direction = model.direction
            doors = (model.doors ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n")
            nasIdentifier = model.nasIdentifier ?? ""
            nasIp = model.nasIp ?? ""
        }
    }

    // MARK: Locations

    static func locations(_ locations: [LocationModel], form: LocationForm, message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Locations", user: user, csrf: csrf) {
            message?.node
            div(.class("table")) {
                table(.id("locations")) {
                    tr { th { "Name" }; th { "Time zone" }; th { "Capacity" }; th { "Cut-off" }; th { "Opening hours" } }
                    for location in locations {
                        tr {
                            td { a(.href("/admin/locations/\(location.id!)")) { location.name } }
                            td { location.timeZone }
                            td { location.capacity.map(String.init) ?? "–" }
                            td { location.cutoffTime }
                            td { lines(WeeklyHoursText.format(location.openingHours)) }
                        }
                    }
                }
                if locations.isEmpty { p(.class("muted")) { "No locations yet." } }
            }
            h2 { "New location" }
            locationForm(form, action: "/admin/locations", button: "Create location", csrf: csrf)
        }
    }

    static func location(_ id: UUID, form: LocationForm, message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf) {
            message?.node
            p { a(.href("/admin/locations")) { "All locations" } }
            locationForm(form, action: "/admin/locations/\(id)", button: "Save", csrf: csrf)
        }
    }

    /// Text of several lines, with a line break between them.
    private static func lines(_ text: String) -> [Node] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { index, line in
            index == 0 ? [Node.text(String(line))] : [br, .text(String(line))]
        }
    }

    private static func locationForm(_ form: LocationForm, action: String, button title: String, csrf: String) -> Node {
        postForm(action, csrf: csrf, .class("card setup")) {
            label(.for("name")) { "Name" }
            input(.id("name"), .name("name"), .value(form.name), .required)
            label(.for("timeZone")) { "Time zone" }
            input(.id("timeZone"), .name("timeZone"), .value(form.timeZone), .list("zones"), .required)
            datalist(.id("zones")) {
                for zone in TimeZone.knownTimeZoneIdentifiers where zone.contains("/") { option(.value(zone)) }
            }
            label(.for("capacity")) { "Capacity (people; empty for none)" }
            input(.id("capacity"), .name("capacity"), .inputmode("numeric"), .value(form.capacity))
            label(.for("cutoffTime")) { "Daily cut-off (every visit ends; a day starts)" }
            input(.id("cutoffTime"), .name("cutoffTime"), .type("time"), .value(form.cutoffTime), .required)
            label(.for("openingHours")) { "Opening hours (empty: always open)" }
            textarea(.id("openingHours"), .name("openingHours"), HTMLAttribute("rows", "3"), .placeholder("mon-fri 08:00-20:00\nsat 10:00-16:00"),
                     text: form.openingHours)
            button(.class("primary"), .type("submit")) { title }
        }
    }

    // MARK: Plans

    static func plans(_ plans: [PlanModel], locations: [LocationModel], form: PlanForm, currency: String, message: Message?,
                      user: AdminUserModel, csrf: String) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        return signedIn(title: "Plans", user: user, csrf: csrf) {
            message?.node
            div(.class("table")) {
                table(.id("plans")) {
                    tr { th { "Name" }; th { "Locations" }; th { "Limits" }; th { "Overtime" }; th { "Pay-as-you-go" } }
                    for plan in plans {
                        tr {
                            td { a(.href("/admin/plans/\(plan.id!)")) { plan.name } }
                            td { plan.locationIds.isEmpty ? "All" : plan.locationIds.compactMap { names[$0] }.joined(separator: ", ") }
                            td {
                                plan.limits.map { limits in
                                    ([limits.hours.map { "\($0.formatted()) h" }, limits.days.map { "\($0) days" }].compactMap { $0 }.joined(separator: ", "))
                                        + " a \(limits.period.rawValue)" + (limits.enforce ? "" : " (reported only)")
                                } ?? "None"
                            }
                            td { plan.overtime }
                            td { rateText(plan.payAsYouGo.rate, currency: currency) }
                        }
                    }
                }
                if plans.isEmpty { p(.class("muted")) { "No plans yet." } }
            }
            h2 { "New plan" }
            planForm(form, locations: locations, currency: currency, action: "/admin/plans", button: "Create plan", csrf: csrf)
        }
    }

    static func plan(_ id: UUID, form: PlanForm, locations: [LocationModel], currency: String, message: Message?, user: AdminUserModel,
                     csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf) {
            message?.node
            p { a(.href("/admin/plans")) { "All plans" } }
            planForm(form, locations: locations, currency: currency, action: "/admin/plans/\(id)", button: "Save", csrf: csrf)
        }
    }

    /// A `select`'s options, the current value chosen.
    private static func choices(_ choices: [(value: String, label: String)], current: String) -> [Node] {
        choices.map { choice in option(.value(choice.value), .selected(choice.value == current)) { choice.label } }
    }

    private static func planForm(_ form: PlanForm, locations: [LocationModel], currency: String, action: String, button title: String,
                                 csrf: String) -> Node {
        let chosen = Set(form.locationIds ?? [])
        return postForm(action, csrf: csrf, .class("card setup")) {
            label(.for("name")) { "Name" }
            input(.id("name"), .name("name"), .value(form.name), .required)
            fieldset {
                legend { "Locations (none ticked: all)" }
                for location in locations {
                    label(.class("check")) {
                        input(.type("checkbox"), .name("locationIds[]"), .value(location.id!.uuidString), .checked(chosen.contains(location.id!.uuidString)))
                        " "
                        location.name
                    }
                }
            }
            label(.for("accessHours")) { "Access hours (empty: whenever open)" }
            textarea(.id("accessHours"), .name("accessHours"), HTMLAttribute("rows", "2"), .placeholder("mon-fri 09:00-18:00"), text: form.accessHours)
            div(.class("filters")) {
                div {
                    label(.for("limitPeriod")) { "Limits per" }
                    select(.id("limitPeriod"), .name("limitPeriod")) {
                        choices([("", "No limits"), ("week", "week"), ("month", "month")], current: form.limitPeriod)
                    }
                }
                div { label(.for("limitHours")) { "Hours" }; input(.id("limitHours"), .name("limitHours"), .inputmode("decimal"), .value(form.limitHours)) }
                div { label(.for("limitDays")) { "Days" }; input(.id("limitDays"), .name("limitDays"), .inputmode("numeric"), .value(form.limitDays)) }
            }
            label(.class("check")) {
                input(.type("checkbox"), .name("limitEnforce"), .checked(form.limitEnforce != nil))
                " Refuse check-ins over the limits (otherwise only report them)"
            }
            label(.for("overtime")) { "When the hours run out during a visit" }
            select(.id("overtime"), .name("overtime")) {
                choices([("allow", "let the visit run on (reported as overtime)"), ("checkout", "check the customer out")], current: form.overtime)
            }
            rateFields(form.rate, currency: currency)
            p(.class("muted")) { "With a price and no limits, every visit on the plan is charged; with limits, their hours are included and the rate charges past them." }
            button(.class("primary"), .type("submit")) { title }
        }
    }

    // MARK: Devices

    static func devices(_ devices: [DeviceModel], locations: [LocationModel], form: DeviceForm, message: Message?, user: AdminUserModel,
                        csrf: String) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        return signedIn(title: "Devices", user: user, csrf: csrf) {
            message?.node
            div(.class("table")) {
                table(.id("devices")) {
                    tr { th { "Name" }; th { "Location" }; th { "Kind" }; th { "Direction" } }
                    for device in devices {
                        tr {
                            td { a(.href("/admin/devices/\(device.id!)")) { device.name } }
                            td { names[device.locationId] ?? "" }
                            td { device.kind }
                            td { device.kind == DeviceKind.door.rawValue ? "per door" : device.direction }
                        }
                    }
                }
                if devices.isEmpty { p(.class("muted")) { "No devices yet." } }
            }
            h2 { "New device" }
            deviceForm(form, locations: locations, action: "/admin/devices", button: "Create device", creating: true, csrf: csrf)
        }
    }

    static func device(_ id: UUID, form: DeviceForm, locations: [LocationModel], message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf) {
            message?.node
            p { a(.href("/admin/devices")) { "All devices" }; " · \(form.kind) · its key was shown once, when it was made" }
            deviceForm(form, locations: locations, action: "/admin/devices/\(id)", button: "Save", creating: false, csrf: csrf)
        }
    }

    /// The one page that shows a new device's key.
    static func createdDevice(_ device: DeviceModel, key: String, baseURL: String, user: AdminUserModel, csrf: String) -> String {
        let id = device.id!
        return signedIn(title: device.name, user: user, csrf: csrf) {
            p(.class("ok"), .role("status"), .id("message")) { "Device created. Copy its key now: it is shown this once." }
            div(.class("card")) {
                p { "Device id "; code(.id("device-id")) { id.uuidString } }
                p { "Key "; code(.id("device-key")) { key } }
                p {
                    switch DeviceKind(rawValue: device.kind) {
                    case .kiosk:
                        "Open "
                        a(.id("enrol-link"), .href("/kiosk#device=\(id)&key=\(key)")) { "this kiosk link" }
                        " once on the tablet; it keeps the key."
                    case .wifi:
                        "Enter the key as the RADIUS shared secret on the Wi-Fi controller, with this server as the RADIUS server (ports 1812 and 1813)."
                    case .door:
                        "Sign webhooks with the key: the Footfall-Signature header for \(baseURL)/api/v1/integrations/doors/\(id), "
                            + "or as Kisi's webhook secret for \(baseURL)/api/v1/integrations/kisi/\(id)."
                    default:
                        "The reader posts to \(baseURL)/api/v1/devices/\(id)/events with the key as its bearer token."
                    }
                }
            }
            p { a(.href("/admin/devices")) { "All devices" } }
        }
    }

    private static func deviceForm(_ form: DeviceForm, locations: [LocationModel], action: String, button title: String, creating: Bool,
                                   csrf: String) -> Node {
        postForm(action, csrf: csrf, .class("card setup")) {
            label(.for("name")) { "Name" }
            input(.id("name"), .name("name"), .value(form.name), .required)
            label(.for("locationId")) { "Location" }
            select(.id("locationId"), .name("locationId")) {
                choices(locations.map { ($0.id!.uuidString, $0.name) }, current: form.locationId)
            }
            if creating {
                label(.for("kind")) { "Kind" }
                select(.id("kind"), .name("kind")) { choices(DeviceKind.allCases.map { ($0.rawValue, $0.rawValue) }, current: form.kind) }
            } else {
                input(.type("hidden"), .name("kind"), .value(form.kind))
            }
            label(.for("direction")) { "Direction (kiosks and readers)" }
            select(.id("direction"), .name("direction")) { choices(Direction.allCases.map { ($0.rawValue, $0.rawValue) }, current: form.direction) }
            label(.for("doors")) { "Doors (door systems): one per line, its id then in, out or toggle" }
            textarea(.id("doors"), .name("doors"), HTMLAttribute("rows", "2"), .placeholder("front-door in\nback-door out"), text: form.doors)
            div(.class("filters")) {
                div { label(.for("nasIdentifier")) { "NAS-Identifier (Wi-Fi)" }; input(.id("nasIdentifier"), .name("nasIdentifier"), .value(form.nasIdentifier)) }
                div { label(.for("nasIp")) { "or NAS address" }; input(.id("nasIp"), .name("nasIp"), .value(form.nasIp)) }
            }
            button(.class("primary"), .type("submit")) { title }
        }
    }
}
