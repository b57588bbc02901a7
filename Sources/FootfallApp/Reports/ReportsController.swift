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
        let kind = try Check.queryText(request, "kind").map { text in
            guard let kind = CustomerKind(rawValue: text) else { throw APIError.invalidRequest(field: "kind", detail: "must be member or visitor.") }
            return kind
        }
        let items = try await PresenceQuery(db: request.db, from: from, to: to, now: request.clock.now(), locationId: locationId, kind: kind)
            .items(by: groupBy)
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

    static func range(_ request: Request) throws -> (Date, Date) {
        guard let from = try Check.queryTime(request, "from") else { throw APIError.invalidRequest(field: "from", detail: "is required.") }
        guard let to = try Check.queryTime(request, "to") else { throw APIError.invalidRequest(field: "to", detail: "is required.") }
        guard to > from else { throw APIError.invalidRequest(field: "to", detail: "must be after from.") }
        guard to.timeIntervalSince(from) <= longestRange else {
            throw APIError.invalidRequest(field: "to", detail: "the range may be at most 367 days.")
        }
        return (from, to)
    }
}
