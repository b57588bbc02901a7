import FootfallCore
import Foundation

/// The admin panel's customer list and customer page.
extension AdminPage {
    static func customers(_ found: [CustomerModel], plans: [UUID: String], query: String, user: AdminUserModel, csrf: String) -> String {
        let rows: String = found.map { customer -> String in
            "<tr><td><a href=\"/admin/customers/\(customer.id!)\">\(escapeHTML(customer.name))</a></td><td>\(escapeHTML(customer.email))</td>"
                + "<td>\(escapeHTML(customer.planId.flatMap { plans[$0] } ?? "No plan"))</td><td>\(customer.active ? "" : "Deactivated")</td></tr>"
        }.joined()
        let body = """
            <form class="filters" method="get" action="/admin/customers">
              <div><label for="q">Search</label><input id="q" name="q" value="\(escapeHTML(query))" placeholder="Name or email"></div>
              <button class="small" type="submit">Search</button>
            </form>
            <div class="table"><table id="customers"><tr><th>Name</th><th>Email</th><th>Plan</th><th></th></tr>\(rows)</table>
            \(found.isEmpty ? "<p class=\"muted\">No customers.</p>" : "")</div>
            """
        return signedIn(title: "Customers", user: user, csrf: csrf, body: body)
    }

    static func customer(_ customer: CustomerModel, plan: PlanModel?, usage: UsageDTO, passes: [PassDTO], cards: [CardModel],
                         visits: [CheckInModel], changes: [AuditEntryModel], locations: [UUID: LocationModel], message: Message?,
                         user: AdminUserModel, csrf: String) -> String {
        let id = customer.id!
        let hidden = "<input type=\"hidden\" name=\"_csrf\" value=\"\(escapeHTML(csrf))\">"
        // This period's hours and days against the plan's limits, as bars.
        var bars = ""
        if let limits = usage.limits {
            if let hours = limits.hours {
                bars += bar("Hours this \(limits.period)", used: Double(usage.usedMinutes) / 60, limit: hours, unit: "h")
            }
            if let days = limits.days {
                bars += bar("Days this \(limits.period)", used: Double(usage.usedDays), limit: Double(days), unit: "days")
            }
        }
        let passRows: String = passes.map { pass -> String in
            let balance = pass.kind == "time" ? "\(pass.remainingMinutes ?? 0) of \(pass.minutes ?? 0) min left"
                : pass.usedOn.isEmpty ? "unused" : "used on \(pass.usedOn.joined(separator: ", "))"
            return "<tr><td>\(pass.kind == "time" ? "Time pass" : "Day pass")</td><td>\(escapeHTML(balance))</td></tr>"
        }.joined()
        let cardRows: String = cards.map { "<tr><td><code>\(escapeHTML($0.normalized))</code></td></tr>" }.joined()
        let visitRows: String = visits.map { visit -> String in
            let zone = locations[visit.locationId]?.zone.timeZone ?? .gmt
            let style = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)
            let out = visit.checkedOutAt.map { "\($0.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: zone)))" } ?? "in now"
            return "<tr><td>\(escapeHTML(locations[visit.locationId]?.name ?? ""))</td><td>\(visit.checkedInAt.formatted(style)) – \(out)</td>"
                + "<td>\(escapeHTML(visit.method))</td><td>\(correction(of: visit, customer: id, zone: zone, hidden: hidden))</td></tr>"
        }.joined()
        // Who changed which visit's times, when; all on the visit's location's clock.
        let changeRows: String = changes.map { change -> String in
            let zone = visits.first { $0.id == change.subjectId }.flatMap { locations[$0.locationId] }?.zone.timeZone ?? .gmt
            let style = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)
            func time(_ key: String) -> String { change.details[key].flatMap(RFC3339.parse)?.formatted(style) ?? "open" }
            return "<tr><td>\(escapeHTML(change.at.formatted(style)))</td><td>\(escapeHTML(change.actor))</td>"
                + "<td>in \(time("checkedInAt.before")) → \(time("checkedInAt.after")); out \(time("checkedOutAt.before")) → \(time("checkedOutAt.after"))</td></tr>"
        }.joined()
        let body = """
            \(message?.html ?? "")
            <p class="muted">\(escapeHTML(customer.email)) · \(escapeHTML(plan?.name ?? "No plan"))\(customer.active ? "" : " · deactivated")
              · PIN \(customer.pinHash == nil ? "not set" : "set")</p>
            <div class="cards">
              <section class="card"><h2>Usage</h2>\(bars.isEmpty ? "<p class=\"muted\">No limits on this plan.</p>" : bars)</section>
              <section class="card"><h2>Passes</h2>\(passRows.isEmpty ? "<p class=\"muted\">No passes.</p>" : "<table id=\"passes\">\(passRows)</table>")
                <form method="post" action="/admin/customers/\(id)/passes">\(hidden)<input type="hidden" name="kind" value="day">
                  <button class="small" type="submit">Add a day pass</button></form>
                <form class="filters" method="post" action="/admin/customers/\(id)/passes">\(hidden)<input type="hidden" name="kind" value="time">
                  <div><label for="minutes">Time pass (minutes)</label><input id="minutes" name="minutes" type="number" min="1" required></div>
                  <button class="small" type="submit">Add</button></form></section>
              <section class="card"><h2>Cards</h2>\(cardRows.isEmpty ? "<p class=\"muted\">No cards.</p>" : "<table id=\"cards\">\(cardRows)</table>")
                <form class="filters" method="post" action="/admin/customers/\(id)/cards">\(hidden)
                  <div><label for="number">Card number</label><input id="number" name="number" required autocomplete="off"></div>
                  <button class="small" type="submit">Add card</button></form></section>
              <section class="card"><h2>PIN</h2><p class="muted">\(customer.pinHash == nil ? "No PIN yet." : "A PIN is set; it is never shown.")</p>
                <form class="filters" method="post" action="/admin/customers/\(id)/pin">\(hidden)
                  <div><label for="pin">New PIN (4 to 8 digits)</label><input id="pin" name="pin" inputmode="numeric" pattern="[0-9]{4,8}" required autocomplete="off"></div>
                  <button class="small" type="submit">Set PIN</button></form></section>
            </div>
            <h2>Recent visits</h2>
            <div class="table"><table id="visits"><tr><th>Where</th><th>When</th><th>How</th><th></th></tr>\(visitRows)</table>
            \(visits.isEmpty ? "<p class=\"muted\">No visits yet.</p>" : "")</div>
            \(changeRows.isEmpty ? "" : """
                <h2>Corrections</h2>
                <div class="table"><table id="corrections"><tr><th>When</th><th>Who</th><th>What</th></tr>\(changeRows)</table></div>
                """)
            """
        return signedIn(title: customer.name, user: user, csrf: csrf, body: body)
    }

    /// A folded form to correct a visit's times, on its location's clock.
    private static func correction(of visit: CheckInModel, customer: UUID, zone: TimeZone, hidden: String) -> String {
        let local = Date.VerbatimFormatStyle(format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                                             timeZone: zone, calendar: Calendar(identifier: .gregorian))
        return """
            <details><summary>Correct</summary>
            <form class="filters" method="post" action="/admin/customers/\(customer)/visits/\(visit.id!)">\(hidden)
              <div><label>In</label><input type="datetime-local" name="checkedInAt" value="\(visit.checkedInAt.formatted(local))" required></div>
              <div><label>Out</label><input type="datetime-local" name="checkedOutAt" value="\(visit.checkedOutAt.map { $0.formatted(local) } ?? "")"></div>
              <button class="small" type="submit" data-correct="\(visit.id!)">Save</button></form></details>
            """
    }

    private static func bar(_ title: String, used: Double, limit: Double, unit: String) -> String {
        let share = limit > 0 ? min(1, used / limit) : 1
        let over = used > limit
        return """
            <p>\(escapeHTML(title)): <strong>\(String(format: "%.1f", used)) of \(String(format: "%g", limit)) \(unit)</strong>\(over ? " <span class=\"error\">over the limit</span>" : "")</p>
            <div class="bar" role="meter" aria-valuenow="\(used)" aria-valuemax="\(limit)"><span style="width: \(Int(share * 100))%"\(over ? " class=\"over\"" : "")></span></div>
            """
    }
}
