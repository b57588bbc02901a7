import Fluent
import FootfallCore
import SQLKit
import Vapor

/// `GET /api/v1/exports/check-ins` and `/failed-check-ins`: every row of a range as CSV, for
/// billing, payroll or another system. Streamed a page at a time (keyset pages read through the
/// indexes on location and time, and on time), so a year of a busy space goes out without
/// being held in memory; cells are formula-safe (`CSV.text`).
struct ExportsController: RouteCollection {
    /// Rows read per query.
    static let pageSize = 1000

    func boot(routes: any RoutesBuilder) throws {
        let exports = routes.grouped("exports")
        exports.get("check-ins", use: checkIns)
        exports.get("failed-check-ins", use: failedCheckIns)
    }

    /// What an export covers, with every location's name.
    struct Range: Sendable {
        var from: Date
        var to: Date
        var locationId: UUID?
        var locations: [UUID: String]

        /// Everything, at every location.
        init(everythingOn db: any Database) async throws {
            from = RFC3339.accepted.lowerBound
            to = RFC3339.accepted.upperBound
            locations = try await LocationModel.query(on: db).all().reduce(into: [:]) { $0[$1.id!] = $1.name }
        }

        init(_ request: Request) async throws {
            from = try Check.queryTime(request, "from") ?? RFC3339.accepted.lowerBound
            to = try Check.queryTime(request, "to") ?? RFC3339.accepted.upperBound
            guard to > from else { throw APIError.invalidRequest(field: "to", detail: "must be after from.") }
            locationId = try Check.queryUUID(request, "locationId")
            locations = try await LocationModel.query(on: request.db).all().reduce(into: [:]) { $0[$1.id!] = $1.name }
            if let locationId, locations[locationId] == nil { throw APIError.invalidRequest(field: "locationId", detail: "no location \(locationId).") }
        }
    }

    func checkIns(request: Request) async throws -> Response {
        let range = try await Range(request), sql = request.db as! any SQLDatabase
        return Self.csv(filename: "check-ins.csv", request) { write in try await Self.checkIns(range, from: sql, to: write) }
    }

    func failedCheckIns(request: Request) async throws -> Response {
        let range = try await Range(request), sql = request.db as! any SQLDatabase
        return Self.csv(filename: "failed-check-ins.csv", request) { write in try await Self.failedCheckIns(range, from: sql, to: write) }
    }

    /// Visits that began in [from, to), by location (name order), then time.
    static func checkIns(_ range: Range, from sql: any SQLDatabase, to write: (String) async throws -> Void) async throws {
        let locations = range.locationId.map { [$0] } ?? range.locations.sorted { ($0.value, $0.key.uuidString) < ($1.value, $1.key.uuidString) }.map(\.key)
        try await write(CSV.line(["id", "customerId", "customerName", "locationId", "locationName", "checkedInAt", "checkedOutAt",
                                  "minutes", "method", "checkOutMethod", "deviceId", "admittedByPlan", "admittedByPass"]))
        for location in locations {
            try await inPages(of: "check_ins", by: "checked_in_at", sql, query: { next in """
                SELECT t.id, t.customer_id, c.name, t.checked_in_at, t.checked_out_at, t.method, t.check_out_method, t.device_id,
                       t.admitted_plan_id, t.admitted_pass_id
                FROM check_ins t LEFT JOIN customers c ON c.id = t.customer_id
                WHERE t.location_id = \(bind: location) AND t.checked_in_at >= \(bind: range.from) AND t.checked_in_at < \(bind: range.to) \(next)
                ORDER BY t.checked_in_at, t.id LIMIT \(literal: pageSize)
                """ }) { row in
                let id = try row.decode(column: "id", as: UUID.self), checkedInAt = try row.decode(column: "checked_in_at", as: Date.self)
                let checkedOutAt = try row.decode(column: "checked_out_at", as: Date?.self)
                let line = CSV.line([
                    // An anonymised visit belongs to nobody: no id that an importer could take for a customer's.
                    id.uuidString, try row.decode(column: "customer_id", as: UUID.self).exported,
                    CSV.text(try row.decode(column: "name", as: String?.self) ?? ""), location.uuidString, CSV.text(range.locations[location] ?? ""),
                    RFC3339.format(checkedInAt), checkedOutAt.map(RFC3339.format) ?? "",
                    checkedOutAt.map { String(Int(saturating: $0.timeIntervalSince(checkedInAt) / 60)) } ?? "",
                    CSV.text(try row.decode(column: "method", as: String.self)), CSV.text(try row.decode(column: "check_out_method", as: String?.self) ?? ""),
                    try row.decode(column: "device_id", as: UUID?.self)?.uuidString ?? "",
                    try row.decode(column: "admitted_plan_id", as: UUID?.self)?.uuidString ?? "",
                    try row.decode(column: "admitted_pass_id", as: UUID?.self)?.uuidString ?? "",
                ])
                return (line, id, checkedInAt)
            } write: { try await write($0) }
        }
    }

    /// Refused attempts in [from, to), by time.
    static func failedCheckIns(_ range: Range, from sql: any SQLDatabase, to write: (String) async throws -> Void) async throws {
        try await write(CSV.line(["id", "at", "customerId", "customerName", "locationId", "locationName", "method", "deviceId",
                                  "credential", "reason"]))
        let location: SQLQueryString = range.locationId.map { "AND t.location_id = \(bind: $0)" } ?? ""
        try await inPages(of: "failed_check_ins", by: "at", sql, query: { next in """
            SELECT t.id, t.at, t.customer_id, c.name, t.location_id, t.method, t.device_id, t.credential, t.reason
            FROM failed_check_ins t LEFT JOIN customers c ON c.id = t.customer_id
            WHERE t.at >= \(bind: range.from) AND t.at < \(bind: range.to) \(location) \(next)
            ORDER BY t.at, t.id LIMIT \(literal: pageSize)
            """ }) { row in
            let id = try row.decode(column: "id", as: UUID.self), at = try row.decode(column: "at", as: Date.self)
            let location = try row.decode(column: "location_id", as: UUID.self)
            let line = CSV.line([
                id.uuidString, RFC3339.format(at), try row.decode(column: "customer_id", as: UUID?.self)?.uuidString ?? "",
                CSV.text(try row.decode(column: "name", as: String?.self) ?? ""), location.uuidString, CSV.text(range.locations[location] ?? ""),
                CSV.text(try row.decode(column: "method", as: String.self)), try row.decode(column: "device_id", as: UUID?.self)?.uuidString ?? "",
                CSV.text(try row.decode(column: "credential", as: String?.self) ?? ""), CSV.text(try row.decode(column: "reason", as: String.self)),
            ])
            return (line, id, at)
        } write: { try await write($0) }
    }

    /// Runs `query` (rows of `table`, aliased `t`, in `(time, id)` order, at most `pageSize`) page
    /// after page, each starting after the last row of the one before as stored (a time read back
    /// and bound again may differ from it in the last microsecond), or as read if that row was
    /// deleted meanwhile; the condition is the lower end of the index range, so each page starts
    /// where the last ended. Each page's lines are written at once.
    private static func inPages(of table: String, by time: String, _ sql: any SQLDatabase, query: (SQLQueryString) -> SQLQueryString,
                                line: (any SQLRow) throws -> (text: String, id: UUID, at: Date),
                                write: (String) async throws -> Void) async throws {
        var after: (id: UUID, at: Date)?
        while true {
            let next: SQLQueryString = after.map { last in
                let stored: SQLQueryString = "COALESCE((SELECT \(ident: time) FROM \(ident: table) WHERE id = \(bind: last.id)), \(bind: last.at))"
                return "AND t.\(ident: time) >= \(stored) AND (t.\(ident: time) > \(stored) OR t.id > \(bind: last.id))"
            } ?? ""
            let rows = try await sql.raw(query(next)).all()
            var text = ""
            for row in rows {
                let (line, id, at) = try line(row)
                text += line
                after = (id, at)
            }
            if !text.isEmpty { try await write(text) }
            if rows.count < pageSize { return }
        }
    }

    /// A CSV download whose body `produce` writes piece by piece.
    private static func csv(filename: String, _ request: Request,
                            _ produce: @escaping @Sendable (_ write: @Sendable (String) async throws -> Void) async throws -> Void) -> Response {
        let response = Response(status: .ok, body: .init(managedAsyncStream: { writer in
            try await produce { text in try await writer.write(.buffer(ByteBuffer(string: text))) }
        }))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}

private extension UUID {
    /// A customer id for a CSV cell: empty for the anonymous customer of retention.
    var exported: String { self == Retention.anonymousCustomer ? "" : uuidString }
}
