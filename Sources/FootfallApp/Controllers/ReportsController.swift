import Fluent
import FootfallCore
import SQLKit
import Vapor

/// Presence and occupancy over a time range. Minutes count the part of each visit inside
/// `[from, to)`; a visit still open counts up to now.
struct ReportsController: RouteCollection {
    /// The longest range a report covers: a year and a day.
    static let longestRange: TimeInterval = 367 * 86_400

    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports")
        reports.get("presence", use: presence)
        reports.get("occupancy", use: occupancy)
    }

    enum GroupBy: String, CaseIterable {
        case customer, plan, day
    }

    /// `{"items": [...]}`, or the same rows as CSV for `Accept: text/csv`.
    func presence(request: Request) async throws -> Response {
        let (from, to) = try Self.range(request)
        let locationId = try Check.queryUUID(request, "locationId")
        let groupText: String = request.query["groupBy"] ?? GroupBy.customer.rawValue
        guard let groupBy = GroupBy(rawValue: groupText) else {
            throw APIError.invalidRequest(field: "groupBy", detail: "must be customer, plan or day.")
        }
        let items = try await PresenceQuery(db: request.db, from: from, to: to, now: request.clock.now(), locationId: locationId).items(by: groupBy)
        // CSV for `Accept: text/csv`, or `format=csv` for a plain download link.
        if request.headers.accept.mediaTypes.contains(where: { $0.type == "text" && $0.subType == "csv" })
            || (try? request.query.get(String.self, at: "format")) == "csv" {
            let response = Response(status: .ok, body: .init(string: PresenceItem.csv(items)))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "presence-\(groupBy.rawValue).csv")
            return response
        }
        return try PresenceReportDTO(items: items).response(status: .ok)
    }

    func occupancy(request: Request) async throws -> OccupancyReportDTO {
        let (from, to) = try Self.range(request)
        guard let locationId = try Check.queryUUID(request, "locationId") else {
            throw APIError.invalidRequest(field: "locationId", detail: "is required.")
        }
        guard let location = try await LocationModel.find(locationId, on: request.db) else {
            throw APIError.invalidRequest(field: "locationId", detail: "no location \(locationId).")
        }
        let stays = try await PresenceQuery(db: request.db, from: from, to: to, now: request.clock.now(), locationId: locationId).stays()
        let hours = HourOccupancy.hourly(stays, from: from, to: to, zone: location.zone)
        return OccupancyReportDTO(items: hours.map { OccupancyHourDTO(start: $0.start, peak: $0.peak, average: $0.average) })
    }

    private static func range(_ request: Request) throws -> (Date, Date) {
        guard let from = try Check.queryTime(request, "from") else { throw APIError.invalidRequest(field: "from", detail: "is required.") }
        guard let to = try Check.queryTime(request, "to") else { throw APIError.invalidRequest(field: "to", detail: "is required.") }
        guard to > from else { throw APIError.invalidRequest(field: "to", detail: "must be after from.") }
        guard to.timeIntervalSince(from) <= longestRange else {
            throw APIError.invalidRequest(field: "to", detail: "the range may be at most 367 days.")
        }
        return (from, to)
    }
}

/// The visits a report reads: those that meet `[from, to)`, open ones up to now.
struct PresenceQuery {
    let db: any Database
    let from: Date
    let to: Date
    let now: Date
    let locationId: UUID?

    private var sql: any SQLDatabase { db as! any SQLDatabase }

    /// A report's rows, read on a connection taken for the query: through the pool, SQLiteNIO
    /// hands each row to an event loop as a task of its own, and a month's occupancy is 80,000
    /// rows; on one connection they are collected on the thread that reads them.
    private func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await db.withConnection { try await ($0 as! any SQLDatabase).raw(query).all() }
    }

    private var filter: SQLQueryString {
        // No visit is longer than `Ledger.longestVisit`: the index on check-in times bounds the scan.
        let filter: SQLQueryString = """
            v.checked_in_at >= \(bind: from - Ledger.longestVisit) AND v.checked_in_at < \(bind: min(to, now)) \
            AND (v.checked_out_at IS NULL OR v.checked_out_at > \(bind: from))
            """
        guard let locationId else { return filter }
        return "\(filter) AND v.location_id = \(bind: locationId)"
    }

    /// The report's rows, grouped as asked.
    func items(by groupBy: ReportsController.GroupBy) async throws -> [PresenceItem] {
        groupBy == .day ? try await byDay() : try await grouped(by: groupBy)
    }

    /// Per customer or per admitting plan (visits on passes together), aggregated by the
    /// database: seconds inside the range, visits, distinct customers.
    private func grouped(by groupBy: ReportsController.GroupBy) async throws -> [PresenceItem] {
        let end: SQLQueryString = "COALESCE(v.checked_out_at, \(bind: now))"
        // Seconds of [max(in, from), min(end, to)) — the same arithmetic in each dialect's words.
        let seconds: SQLQueryString = sql.dialect.name == "postgresql"
            ? "CAST(SUM(EXTRACT(EPOCH FROM LEAST(\(end), \(bind: to)) - GREATEST(v.checked_in_at, \(bind: from)))) AS DOUBLE PRECISION)"
            : "CAST(SUM(MIN(\(end), \(bind: to)) - MAX(v.checked_in_at, \(bind: from))) AS REAL)"
        let key: SQLQueryString = groupBy == .customer ? "v.customer_id" : "v.admitted_plan_id"
        // Grouping by the bare customer column, SQLite walks the (customer, time) index to get
        // the groups in order — every customer's visits, at every location; `+` leaves it on
        // the (location, time) range with a temporary tree for the groups (a third of the time
        // on a year's history). PostgreSQL has no unary plus for UUIDs, nor the need.
        let groupKey: SQLQueryString = sql.dialect.name == "sqlite" ? "+\(key)" : key
        // Names are joined to the groups, not to every visit.
        let names: SQLQueryString = groupBy == .customer
            ? "JOIN customers n ON n.id = g.key" : "LEFT JOIN plans n ON n.id = g.key"
        let rows = try await self.rows("""
            SELECT g.key, n.name AS label, g.visits, g.seconds, g.customers
            FROM (SELECT \(key) AS key, COUNT(*) AS visits, \(seconds) AS seconds, COUNT(DISTINCT v.customer_id) AS customers
                  FROM check_ins v WHERE \(filter) GROUP BY \(groupKey)) g
            \(names)
            """)
        return try rows.map { row in
            // Visits on day and time passes have no plan: they are one row of their own.
            let key = try row.decode(column: "key", as: UUID?.self)
            return PresenceItem(key: key.map { $0.uuidString } ?? "passes",
                                label: try row.decode(column: "label", as: String?.self) ?? "Day and time passes",
                                visits: try row.decode(column: "visits", as: Int.self),
                                minutes: PresenceItem.minutes(try row.decode(column: "seconds", as: Double.self)),
                                uniqueCustomers: try row.decode(column: "customers", as: Int.self))
        }.sorted { ($0.label, $0.key) < ($1.label, $1.key) }
    }

    /// Per location day (cut-off to cut-off), each location on its own calendar.
    private func byDay() async throws -> [PresenceItem] {
        let zones = try await Standing(db: db).locationZones()
        var days: [LocalDate: DayPresence] = [:]
        for (location, spans) in Dictionary(grouping: try await spans(), by: \.location) {
            guard let zone = zones[location] else { continue }
            for (day, presence) in DayPresence.split(spans.map(\.span), zone: zone) {
                var total = days[day] ?? DayPresence(day: day, visits: 0, seconds: 0, customers: [])
                total.visits += presence.visits
                total.seconds += presence.seconds
                total.customers.formUnion(presence.customers)
                days[day] = total
            }
        }
        return days.values.sorted { $0.day < $1.day }.map { day in
            PresenceItem(key: day.day.description, label: day.day.description, visits: day.visits,
                         minutes: PresenceItem.minutes(day.seconds), uniqueCustomers: day.customers.count)
        }
    }

    /// Each visit's `[in, out)`, for occupancy: two numbers a row, the fewest to read.
    func stays() async throws -> [Range<Date>] {
        let rows = try await self.rows("SELECT v.checked_in_at, v.checked_out_at FROM check_ins v WHERE \(filter)")
        return try rows.compactMap { row in
            let start = try row.decode(column: "checked_in_at", as: Date.self)
            let end = try row.decode(column: "checked_out_at", as: Date?.self) ?? now
            return start < end ? start..<end : nil
        }
    }

    /// Each visit's part inside the range, with its location.
    func spans() async throws -> [(location: UUID, span: PresenceSpan)] {
        let rows = try await self.rows("""
            SELECT v.customer_id, v.location_id, v.checked_in_at, v.checked_out_at FROM check_ins v WHERE \(filter)
            """)
        return try rows.compactMap { row in
            let span = PresenceSpan(customer: try row.decode(column: "customer_id", as: UUID.self),
                                    start: try row.decode(column: "checked_in_at", as: Date.self),
                                    end: try row.decode(column: "checked_out_at", as: Date?.self) ?? now)
            guard let inside = span.clipped(from: from, to: to) else { return nil }
            return (try row.decode(column: "location_id", as: UUID.self), inside)
        }
    }
}

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
