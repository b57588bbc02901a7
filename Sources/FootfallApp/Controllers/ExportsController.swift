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
        do {
            try await write(CSV.line(["id", "customerId", "customerName", "locationId", "locationName", "checkedInAt", "checkedOutAt",
                                      "minutes", "method", "checkOutMethod", "deviceId", "admittedByPlan", "admittedByPass"]))
            for location in locations {
                var after: (id: UUID, at: Date)?
                repeat {
                    // The next page starts after the last row as stored (a time read back and
                    // bound again may differ from it in the last microsecond), or as read if it
                    // was deleted meanwhile; as the lower end of the index range, so each page
                    // starts where the last ended.
                    let next: SQLQueryString = after.map { """
                        AND v.checked_in_at >= COALESCE((SELECT checked_in_at FROM check_ins WHERE id = \(bind: $0.id)), \(bind: $0.at))
                        AND (v.checked_in_at > COALESCE((SELECT checked_in_at FROM check_ins WHERE id = \(bind: $0.id)), \(bind: $0.at))
                             OR v.id > \(bind: $0.id))
                        """ } ?? ""
                    let rows = try await sql.raw("""
                        SELECT v.id, v.customer_id, c.name, v.checked_in_at, v.checked_out_at, v.method, v.check_out_method, v.device_id,
                               v.admitted_plan_id, v.admitted_pass_id
                        FROM check_ins v LEFT JOIN customers c ON c.id = v.customer_id
                        WHERE v.location_id = \(bind: location) AND v.checked_in_at >= \(bind: range.from) AND v.checked_in_at < \(bind: range.to) \(next)
                        ORDER BY v.checked_in_at, v.id LIMIT \(literal: Self.pageSize)
                        """).all()
                    var text = ""
                    for row in rows {
                        let id = try row.decode(column: "id", as: UUID.self), checkedInAt = try row.decode(column: "checked_in_at", as: Date.self)
                        let checkedOutAt = try row.decode(column: "checked_out_at", as: Date?.self)
                        text += CSV.line([
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
                        after = (id, checkedInAt)
                    }
                    if !text.isEmpty { try await write(text) }
                    if rows.count < Self.pageSize { break }
                } while true
            }
        }
    }

    /// Refused attempts in [from, to), by time.
    static func failedCheckIns(_ range: Range, from sql: any SQLDatabase, to write: (String) async throws -> Void) async throws {
        do {
            try await write(CSV.line(["id", "at", "customerId", "customerName", "locationId", "locationName", "method", "deviceId",
                                      "credential", "reason"]))
            var after: (id: UUID, at: Date)?
            repeat {
                let next: SQLQueryString = after.map { """
                    AND f.at >= COALESCE((SELECT at FROM failed_check_ins WHERE id = \(bind: $0.id)), \(bind: $0.at))
                    AND (f.at > COALESCE((SELECT at FROM failed_check_ins WHERE id = \(bind: $0.id)), \(bind: $0.at)) OR f.id > \(bind: $0.id))
                    """ } ?? ""
                let location: SQLQueryString = range.locationId.map { "AND f.location_id = \(bind: $0)" } ?? ""
                let rows = try await sql.raw("""
                    SELECT f.id, f.at, f.customer_id, c.name, f.location_id, f.method, f.device_id, f.credential, f.reason
                    FROM failed_check_ins f LEFT JOIN customers c ON c.id = f.customer_id
                    WHERE f.at >= \(bind: range.from) AND f.at < \(bind: range.to) \(location) \(next)
                    ORDER BY f.at, f.id LIMIT \(literal: Self.pageSize)
                    """).all()
                var text = ""
                for row in rows {
                    let id = try row.decode(column: "id", as: UUID.self), at = try row.decode(column: "at", as: Date.self)
                    let location = try row.decode(column: "location_id", as: UUID.self)
                    text += CSV.line([
                        id.uuidString, RFC3339.format(at), try row.decode(column: "customer_id", as: UUID?.self)?.uuidString ?? "",
                        CSV.text(try row.decode(column: "name", as: String?.self) ?? ""), location.uuidString, CSV.text(range.locations[location] ?? ""),
                        CSV.text(try row.decode(column: "method", as: String.self)), try row.decode(column: "device_id", as: UUID?.self)?.uuidString ?? "",
                        CSV.text(try row.decode(column: "credential", as: String?.self) ?? ""), CSV.text(try row.decode(column: "reason", as: String.self)),
                    ])
                    after = (id, at)
                }
                if !text.isEmpty { try await write(text) }
                if rows.count < Self.pageSize { break }
            } while true
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
