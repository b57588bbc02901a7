import Fluent
import FootfallCore
import SQLKit
import Vapor

/// The visits a report reads: those that meet `[from, to)`, open ones up to now.
struct PresenceQuery {
    let db: any Database
    let from: Date
    let to: Date
    let now: Date
    let locationId: UUID?
    /// Members' or visitors' visits only; nil for both.
    var kind: CustomerKind? = nil

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
        var narrowed = filter
        if let locationId { narrowed = "\(narrowed) AND v.location_id = \(bind: locationId)" }
        if let kind { narrowed = "\(narrowed) AND v.customer_id IN (SELECT id FROM customers WHERE kind = \(bind: kind.rawValue))" }
        return narrowed
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
