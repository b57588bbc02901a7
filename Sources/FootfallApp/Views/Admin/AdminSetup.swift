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

        init() {}

        init(_ model: PlanModel) {
            name = model.name
            locationIds = model.locationIds.map(\.uuidString)
            accessHours = WeeklyHoursText.format(model.accessHours)
            limitPeriod = model.limitPeriod ?? ""
            limitHours = model.limitHours.map { $0 == $0.rounded() ? String(Int(saturating: $0)) : String($0) } ?? ""
            limitDays = model.limitDays.map(String.init) ?? ""
            limitEnforce = model.limitEnforce ? "on" : nil
            overtime = model.overtime
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
        let rows = locations.map { location in
            "<tr><td><a href=\"/admin/locations/\(location.id!)\">\(escapeHTML(location.name))</a></td><td>\(escapeHTML(location.timeZone))</td>"
                + "<td>\(location.capacity.map(String.init) ?? "–")</td><td>\(escapeHTML(location.cutoffTime))</td>"
                + "<td>\(escapeHTML(WeeklyHoursText.format(location.openingHours)).replacingOccurrences(of: "\n", with: "<br>"))</td></tr>"
        }.joined()
        return signedIn(title: "Locations", user: user, csrf: csrf, body: """
            \(message?.html ?? "")
            <div class="table"><table id="locations"><tr><th>Name</th><th>Time zone</th><th>Capacity</th><th>Cut-off</th><th>Opening hours</th></tr>\(rows)</table>
            \(locations.isEmpty ? "<p class=\"muted\">No locations yet.</p>" : "")</div>
            <h2>New location</h2>
            \(locationForm(form, action: "/admin/locations", button: "Create location", csrf: csrf))
            """)
    }

    static func location(_ id: UUID, form: LocationForm, message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf, body: """
            \(message?.html ?? "")<p><a href="/admin/locations">All locations</a></p>
            \(locationForm(form, action: "/admin/locations/\(id)", button: "Save", csrf: csrf))
            """)
    }

    private static func locationForm(_ form: LocationForm, action: String, button: String, csrf: String) -> String {
        """
        <form class="card setup" method="post" action="\(action)"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
          <label for="name">Name</label><input id="name" name="name" value="\(escapeHTML(form.name))" required>
          <label for="timeZone">Time zone</label><input id="timeZone" name="timeZone" value="\(escapeHTML(form.timeZone))" list="zones" required>
          <datalist id="zones">\(TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") }.map { "<option value=\"\($0)\">" }.joined())</datalist>
          <label for="capacity">Capacity (people; empty for none)</label><input id="capacity" name="capacity" inputmode="numeric" value="\(escapeHTML(form.capacity))">
          <label for="cutoffTime">Daily cut-off (every visit ends; a day starts)</label><input id="cutoffTime" name="cutoffTime" type="time" value="\(escapeHTML(form.cutoffTime))" required>
          <label for="openingHours">Opening hours (empty: always open)</label>
          <textarea id="openingHours" name="openingHours" rows="3" placeholder="mon-fri 08:00-20:00&#10;sat 10:00-16:00">\(escapeHTML(form.openingHours))</textarea>
          <button class="primary" type="submit">\(button)</button>
        </form>
        """
    }

    // MARK: Plans

    static func plans(_ plans: [PlanModel], locations: [LocationModel], form: PlanForm, message: Message?, user: AdminUserModel,
                      csrf: String) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        let rows = plans.map { plan in
            let places = plan.locationIds.isEmpty ? "All" : plan.locationIds.compactMap { names[$0] }.joined(separator: ", ")
            let limits = plan.limits.map { limits in
                ([limits.hours.map { "\($0.formatted()) h" }, limits.days.map { "\($0) days" }].compactMap { $0 }.joined(separator: ", "))
                    + " a \(limits.period.rawValue)" + (limits.enforce ? "" : " (reported only)")
            } ?? "None"
            return "<tr><td><a href=\"/admin/plans/\(plan.id!)\">\(escapeHTML(plan.name))</a></td><td>\(escapeHTML(places))</td>"
                + "<td>\(escapeHTML(limits))</td><td>\(escapeHTML(plan.overtime))</td></tr>"
        }.joined()
        return signedIn(title: "Plans", user: user, csrf: csrf, body: """
            \(message?.html ?? "")
            <div class="table"><table id="plans"><tr><th>Name</th><th>Locations</th><th>Limits</th><th>Overtime</th></tr>\(rows)</table>
            \(plans.isEmpty ? "<p class=\"muted\">No plans yet.</p>" : "")</div>
            <h2>New plan</h2>
            \(planForm(form, locations: locations, action: "/admin/plans", button: "Create plan", csrf: csrf))
            """)
    }

    static func plan(_ id: UUID, form: PlanForm, locations: [LocationModel], message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf, body: """
            \(message?.html ?? "")<p><a href="/admin/plans">All plans</a></p>
            \(planForm(form, locations: locations, action: "/admin/plans/\(id)", button: "Save", csrf: csrf))
            """)
    }

    private static func planForm(_ form: PlanForm, locations: [LocationModel], action: String, button: String, csrf: String) -> String {
        let chosen = Set(form.locationIds ?? [])
        let boxes = locations.map { location in
            "<label class=\"check\"><input type=\"checkbox\" name=\"locationIds[]\" value=\"\(location.id!)\"\(chosen.contains(location.id!.uuidString) ? " checked" : "")> \(escapeHTML(location.name))</label>"
        }.joined()
        func option(_ value: String, _ label: String, _ current: String) -> String {
            "<option value=\"\(value)\"\(value == current ? " selected" : "")>\(label)</option>"
        }
        return """
            <form class="card setup" method="post" action="\(action)"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
              <label for="name">Name</label><input id="name" name="name" value="\(escapeHTML(form.name))" required>
              <fieldset><legend>Locations (none ticked: all)</legend>\(boxes)</fieldset>
              <label for="accessHours">Access hours (empty: whenever open)</label>
              <textarea id="accessHours" name="accessHours" rows="2" placeholder="mon-fri 09:00-18:00">\(escapeHTML(form.accessHours))</textarea>
              <div class="filters">
                <div><label for="limitPeriod">Limits per</label><select id="limitPeriod" name="limitPeriod">\(option("", "No limits", form.limitPeriod))\(option("week", "week", form.limitPeriod))\(option("month", "month", form.limitPeriod))</select></div>
                <div><label for="limitHours">Hours</label><input id="limitHours" name="limitHours" inputmode="decimal" value="\(escapeHTML(form.limitHours))"></div>
                <div><label for="limitDays">Days</label><input id="limitDays" name="limitDays" inputmode="numeric" value="\(escapeHTML(form.limitDays))"></div>
              </div>
              <label class="check"><input type="checkbox" name="limitEnforce"\(form.limitEnforce != nil ? " checked" : "")> Refuse check-ins over the limits (otherwise only report them)</label>
              <label for="overtime">When the hours run out during a visit</label>
              <select id="overtime" name="overtime">\(option("allow", "let the visit run on (reported as overtime)", form.overtime))\(option("checkout", "check the customer out", form.overtime))</select>
              <button class="primary" type="submit">\(button)</button>
            </form>
            """
    }

    // MARK: Devices

    static func devices(_ devices: [DeviceModel], locations: [LocationModel], form: DeviceForm, message: Message?, user: AdminUserModel,
                        csrf: String) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        let rows = devices.map { device in
            "<tr><td><a href=\"/admin/devices/\(device.id!)\">\(escapeHTML(device.name))</a></td><td>\(escapeHTML(names[device.locationId] ?? ""))</td>"
                + "<td>\(escapeHTML(device.kind))</td><td>\(escapeHTML(device.kind == DeviceKind.door.rawValue ? "per door" : device.direction))</td></tr>"
        }.joined()
        return signedIn(title: "Devices", user: user, csrf: csrf, body: """
            \(message?.html ?? "")
            <div class="table"><table id="devices"><tr><th>Name</th><th>Location</th><th>Kind</th><th>Direction</th></tr>\(rows)</table>
            \(devices.isEmpty ? "<p class=\"muted\">No devices yet.</p>" : "")</div>
            <h2>New device</h2>
            \(deviceForm(form, locations: locations, action: "/admin/devices", button: "Create device", creating: true, csrf: csrf))
            """)
    }

    static func device(_ id: UUID, form: DeviceForm, locations: [LocationModel], message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: form.name, user: user, csrf: csrf, body: """
            \(message?.html ?? "")<p><a href="/admin/devices">All devices</a> · \(escapeHTML(form.kind)) · its key was shown once, when it was made</p>
            \(deviceForm(form, locations: locations, action: "/admin/devices/\(id)", button: "Save", creating: false, csrf: csrf))
            """)
    }

    /// The one page that shows a new device's key.
    static func createdDevice(_ device: DeviceModel, key: String, baseURL: String, user: AdminUserModel, csrf: String) -> String {
        let id = device.id!
        let use: String = switch DeviceKind(rawValue: device.kind) {
        case .kiosk: "Open <a id=\"enrol-link\" href=\"/kiosk#device=\(id)&amp;key=\(escapeHTML(key))\">this kiosk link</a> once on the tablet; it keeps the key."
        case .wifi: "Enter the key as the RADIUS shared secret on the Wi-Fi controller, with this server as the RADIUS server (ports 1812 and 1813)."
        case .door: "Sign webhooks with the key: the Footfall-Signature header for \(escapeHTML(baseURL))/api/v1/integrations/doors/\(id), or as Kisi's webhook secret for \(escapeHTML(baseURL))/api/v1/integrations/kisi/\(id)."
        default: "The reader posts to \(escapeHTML(baseURL))/api/v1/devices/\(id)/events with the key as its bearer token."
        }
        return signedIn(title: device.name, user: user, csrf: csrf, body: """
            <p class="ok" role="status" id="message">Device created. Copy its key now: it is shown this once.</p>
            <div class="card"><p>Device id <code id="device-id">\(id)</code></p><p>Key <code id="device-key">\(escapeHTML(key))</code></p><p>\(use)</p></div>
            <p><a href="/admin/devices">All devices</a></p>
            """)
    }

    private static func deviceForm(_ form: DeviceForm, locations: [LocationModel], action: String, button: String, creating: Bool,
                                   csrf: String) -> String {
        func option(_ value: String, _ current: String) -> String {
            "<option value=\"\(value)\"\(value == current ? " selected" : "")>\(value)</option>"
        }
        let places = locations.map { location in
            "<option value=\"\(location.id!)\"\(location.id!.uuidString == form.locationId ? " selected" : "")>\(escapeHTML(location.name))</option>"
        }.joined()
        let kind = creating ? """
            <label for="kind">Kind</label><select id="kind" name="kind">\(DeviceKind.allCases.map { option($0.rawValue, form.kind) }.joined())</select>
            """ : "<input type=\"hidden\" name=\"kind\" value=\"\(escapeHTML(form.kind))\">"
        return """
            <form class="card setup" method="post" action="\(action)"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
              <label for="name">Name</label><input id="name" name="name" value="\(escapeHTML(form.name))" required>
              <label for="locationId">Location</label><select id="locationId" name="locationId">\(places)</select>
              \(kind)
              <label for="direction">Direction (kiosks and readers)</label><select id="direction" name="direction">\(Direction.allCases.map { option($0.rawValue, form.direction) }.joined())</select>
              <label for="doors">Doors (door systems): one per line, its id then in, out or toggle</label>
              <textarea id="doors" name="doors" rows="2" placeholder="front-door in&#10;back-door out">\(escapeHTML(form.doors))</textarea>
              <div class="filters">
                <div><label for="nasIdentifier">NAS-Identifier (Wi-Fi)</label><input id="nasIdentifier" name="nasIdentifier" value="\(escapeHTML(form.nasIdentifier))"></div>
                <div><label for="nasIp">or NAS address</label><input id="nasIp" name="nasIp" value="\(escapeHTML(form.nasIp))"></div>
              </div>
              <button class="primary" type="submit">\(button)</button>
            </form>
            """
    }

    static let setupStyle = """
        form.setup { max-width: 40rem; }
        form.setup textarea { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid #b8bfcc; border-radius: .4rem; }
        form.setup .primary { display: block; margin-top: 1rem; }
        form.setup fieldset { border: 0; padding: 0; margin: .75rem 0 0; }
        form.setup legend { font-weight: 600; margin-bottom: .25rem; }
        label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
        label.check input { width: auto; }
        code { overflow-wrap: anywhere; }
        form.assign { display: flex; gap: .4rem; margin: 0; }
        form.assign input { width: 14rem; padding: .25rem .5rem; font-size: .85rem; }
        """
}
