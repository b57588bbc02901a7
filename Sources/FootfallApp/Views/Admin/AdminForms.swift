import FootfallCore
import Foundation

/// The admin panel's check-in, failed check-ins and reports pages.
extension AdminPage {
    enum Message {
        case good(String)
        case bad(String)

        var html: String {
            switch self {
            case .good(let text): "<p class=\"ok\" role=\"status\" id=\"message\">\(escapeHTML(text))</p>"
            case .bad(let text): "<p class=\"error\" role=\"alert\" id=\"message\">\(escapeHTML(text))</p>"
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

    private static func options(_ locations: [LocationModel], selected: UUID?, any: String?) -> String {
        (any.map { "<option value=\"\">\(escapeHTML($0))</option>" } ?? "") + locations.map { location in
            "<option value=\"\(location.id!)\"\(location.id == selected ? " selected" : "")>\(escapeHTML(location.name))</option>"
        }.joined()
    }

    static func checkIn(query: String, found: [CustomerModel], locations: [LocationModel], message: Message?,
                        user: AdminUserModel, csrf: String) -> String {
        let results = found.map { customer in
            """
            <form class="card" method="post" action="/admin/check-in?q=\(escapeHTML(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))">
              <input type="hidden" name="_csrf" value="\(escapeHTML(csrf))"><input type="hidden" name="customerId" value="\(customer.id!)">
              <strong>\(escapeHTML(customer.name))<br><span class="muted">\(escapeHTML(customer.email))</span></strong>
              <select name="locationId" aria-label="Location">\(options(locations, selected: nil, any: nil))</select>
              <input type="datetime-local" name="at" aria-label="At (empty: now)" title="Empty: now">
              <button class="primary" type="submit" data-check-in="\(customer.id!)">Check in</button>
            </form>
            """
        }.joined()
        let body = """
            \(message?.html ?? "")
            <form class="filters" method="get" action="/admin/check-in" id="search">
              <div><label for="q">Customer</label><input id="q" name="q" value="\(escapeHTML(query))" placeholder="Name or email" autocomplete="off" autofocus></div>
              <button class="small" type="submit">Search</button>
            </form>
            <div class="results" id="results">\(query.isEmpty ? "" : found.isEmpty ? "<p class=\"muted\">No customer matches.</p>" : results)</div>
            """
        return signedIn(title: "Check in", user: user, csrf: csrf, body: body, script: searchScript)
    }

    /// Search as you type: the results part of the same page, fetched after a short pause.
    static let searchScript = """
        const input = document.getElementById("q");
        let timer;
        input.addEventListener("input", () => {
          clearTimeout(timer);
          timer = setTimeout(async () => {
            const response = await fetch(`/admin/check-in?q=${encodeURIComponent(input.value)}`);
            const page = new DOMParser().parseFromString(await response.text(), "text/html");
            document.getElementById("results").replaceWith(page.getElementById("results"));
            history.replaceState(null, "", `?q=${encodeURIComponent(input.value)}`);
          }, 250);
        });
        input.setSelectionRange(input.value.length, input.value.length);
        """

    static func failed(_ rows: [FailedCheckInModel], names: [UUID: String], locations: [LocationModel],
                       filter: (reason: ReasonCode?, locationId: UUID?, day: LocalDate?), assignable: Set<String>, customers: [CustomerModel],
                       message: Message?, user: AdminUserModel, csrf: String) -> String {
        let locationNames = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, ($0.name, $0.zone.timeZone)) })
        let reasonOptions = "<option value=\"\">Any reason</option>" + ReasonCode.allCases.map {
            "<option value=\"\($0.rawValue)\"\($0 == filter.reason ? " selected" : "")>\(escapeHTML(words(for: $0)))</option>"
        }.joined()
        let lines = rows.map { row in
            let (place, zone) = locationNames[row.locationId] ?? ("", .gmt)
            let when = row.at.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone))
            let who = row.customerId.flatMap { names[$0] } ?? row.credential.map { "Unknown: \($0)" } ?? "Unknown"
            var assign = ""
            if let number = row.cardNumber, assignable.contains(number) {
                assign = """
                    <form class="assign" method="post" action="/admin/failed/\(row.id!)/assign">
                    <input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
                    <input name="customer" type="email" list="customer-emails" placeholder="Customer's email" aria-label="Assign to customer" required>
                    <button class="small" type="submit" data-assign="\(row.id!)">Assign card</button></form>
                    """
            }
            return "<tr><td>\(escapeHTML(when))</td><td>\(escapeHTML(place))</td><td>\(escapeHTML(who))</td><td>\(escapeHTML(row.method))</td>"
                + "<td>\(escapeHTML(words(for: ReasonCode(rawValue: row.reason) ?? .unknownCredential)))</td><td>\(assign)</td></tr>"
        }.joined()
        let emails = customers.map { "<option value=\"\(escapeHTML($0.email))\">\(escapeHTML($0.name))</option>" }.joined()
        let body = """
            \(message?.html ?? "")
            <datalist id="customer-emails">\(emails)</datalist>
            <form class="filters" method="get" action="/admin/failed">
              <div><label for="reason">Reason</label><select id="reason" name="reason">\(reasonOptions)</select></div>
              <div><label for="locationId">Location</label><select id="locationId" name="locationId">\(options(locations, selected: filter.locationId, any: "Any location"))</select></div>
              <div><label for="date">Date</label><input id="date" type="date" name="date" value="\(filter.day?.description ?? "")"></div>
              <button class="small" type="submit">Filter</button>
            </form>
            <div class="table"><table id="failed"><tr><th>When</th><th>Where</th><th>Who</th><th>How</th><th>Why</th><th></th></tr>\(lines)</table>
            \(rows.isEmpty ? "<p class=\"muted\">No failed check-ins.</p>" : "")</div>
            """
        return signedIn(title: "Failed check-ins", user: user, csrf: csrf, body: body)
    }

    /// What the reports page shows besides the presence rows.
    struct Occupancy {
        var location: LocationModel
        var hours: [HourOccupancy]
    }

    static func reports(_ items: [PresenceItem], from: LocalDate, to: LocalDate, groupBy: ReportsController.GroupBy, locationId: UUID?,
                        locations: [LocationModel], csvFrom: Date, csvTo: Date, occupancy: [Occupancy],
                        overLimit: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)], user: AdminUserModel, csrf: String) -> String {
        let groups = ReportsController.GroupBy.allCases.map {
            "<option value=\"\($0.rawValue)\"\($0 == groupBy ? " selected" : "")>By \($0.rawValue)</option>"
        }.joined()
        var csv = "/api/v1/reports/presence?format=csv&groupBy=\(groupBy.rawValue)&from=\(RFC3339.format(csvFrom))&to=\(RFC3339.format(csvTo))"
        if let locationId { csv += "&locationId=\(locationId)" }
        let lines = items.map { item in
            "<tr><td>\(escapeHTML(item.label))</td><td>\(item.visits)</td><td>\(hoursAndMinutes(Double(item.minutes) * 60))</td><td>\(item.uniqueCustomers)</td></tr>"
        }.joined()
        let body = """
            <form class="filters" method="get" action="/admin/reports">
              <div><label for="from">From</label><input id="from" type="date" name="from" value="\(from)"></div>
              <div><label for="to">To</label><input id="to" type="date" name="to" value="\(to)"></div>
              <div><label for="locationId">Location</label><select id="locationId" name="locationId">\(options(locations, selected: locationId, any: "All locations"))</select></div>
              <div><label for="groupBy">Rows</label><select id="groupBy" name="groupBy">\(groups)</select></div>
              <button class="small" type="submit">Show</button>
              <a id="csv" href="\(escapeHTML(csv))" download="presence.csv">Download CSV</a>
            </form>
            <div class="table"><table id="presence"><tr><th>\(groupBy.rawValue.capitalized)</th><th>Visits</th><th>Time</th><th>Customers</th></tr>\(lines)</table>
            \(items.isEmpty ? "<p class=\"muted\">Nobody was in.</p>" : "")</div>
            \(occupancy.map { occupancy in
                let zone = occupancy.location.zone
                return """
                    <section data-occupancy="\(occupancy.location.id!)">
                    <h2>Occupancy at \(escapeHTML(occupancy.location.name)) per hour</h2>
                    \(occupancyChart(occupancy.hours, capacity: occupancy.location.capacity, timeZone: zone.timeZone))
                    <h2>A typical week at \(escapeHTML(occupancy.location.name))</h2>
                    \(heatMap(HourOfWeek(occupancy.hours, zone: zone)))
                    </section>
                    """
            }.joined())
            <h2>Over their plan's limits this period</h2>
            \(overLimitTable(overLimit))
            """
        return signedIn(title: "Reports", user: user, csrf: csrf, body: body)
    }

    private static func overLimitTable(_ rows: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)]) -> String {
        guard !rows.isEmpty else { return "<p class=\"muted\" id=\"over-limit\">Nobody is over their limits.</p>" }
        let lines = rows.map { customer, plan, usage in
            let hours = usage.limits?.hours.map { "\(hoursAndMinutes(usage.usedSeconds)) of \(hoursAndMinutes($0 * 3600))" } ?? hoursAndMinutes(usage.usedSeconds)
            let days = usage.limits?.days.map { "\(usage.usedDays.count) of \($0)" } ?? "\(usage.usedDays.count)"
            return "<tr><td><a href=\"/admin/customers/\(customer.id!)\">\(escapeHTML(customer.name))</a></td><td>\(escapeHTML(plan.name))</td>"
                + "<td>\(hours)</td><td>\(days)</td></tr>"
        }.joined()
        return "<div class=\"table\"><table id=\"over-limit\"><tr><th>Customer</th><th>Plan</th><th>Time</th><th>Days</th></tr>\(lines)</table></div>"
    }

    static func hoursAndMinutes(_ seconds: TimeInterval) -> String {
        let minutes = Int(saturating: (seconds / 60).rounded())
        return "\(minutes / 60) h \(minutes % 60) min"
    }
}
