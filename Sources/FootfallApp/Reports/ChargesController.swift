import Fluent
import FootfallCore
import Vapor

/// `GET /charges`: pay-as-you-go charges by location day, final ones as stored and pending ones
/// as they stand now, as JSON or CSV (for any billing system to invoice them).
struct ChargesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("charges", use: list)
    }

    enum Status: String, CaseIterable {
        case pending, final
    }

    struct Filter: Sendable {
        /// Days that begin in `[from, to)`.
        var from: Date
        var to: Date
        var customerId: UUID?
        var locationId: UUID?
        var status: Status?
    }

    func list(request: Request) async throws -> Response {
        let (from, to) = try ReportsController.range(request)
        let statusText = try Check.queryText(request, "status")
        let status = try statusText.map { text in
            guard let status = Status(rawValue: text) else { throw APIError.invalidRequest(field: "status", detail: "must be pending or final.") }
            return status
        }
        let filter = Filter(from: from, to: to, customerId: try Check.queryUUID(request, "customerId"),
                            locationId: try Check.queryUUID(request, "locationId"), status: status)
        let charges = try await Self.charges(filter, now: request.clock.now(), ledger: request.ledger, on: request.db)
        if request.headers.accept.mediaTypes.contains(where: { $0.type == "text" && $0.subType == "csv" })
            || (try? request.query.get(String.self, at: "format")) == "csv" {
            let response = Response(status: .ok, body: .init(string: try await Self.csv(charges, on: request.db)))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "charges.csv")
            return response
        }
        let page = try PageRequest(request).slice(charges)
        return try Page(items: page.rows.map(ChargeDTO.init), nextCursor: page.nextCursor).response(status: .ok)
    }

    /// Final charges as stored, then pending ones worked out from their visits; by day, then customer.
    static func charges(_ filter: Filter, now: Date, ledger: Ledger, on db: any Database) async throws -> [Ledger.Charge] {
        var charges: [Ledger.Charge] = []
        if filter.status != .pending {
            var query = ChargeModel.query(on: db).filter(\.$dayStart >= filter.from).filter(\.$dayStart < filter.to)
            if let customerId = filter.customerId { query = query.filter(\.$customerId == customerId) }
            if let locationId = filter.locationId { query = query.filter(\.$locationId == locationId) }
            charges += try await query.all().compactMap { row in
                LocalDate(row.day).map {
                    Ledger.Charge(id: row.id!, customerId: row.customerId, locationId: row.locationId, day: $0, dayStart: row.dayStart,
                                  minutes: row.minutes, amount: row.amount, currency: row.currency, isFinal: true, checkInIds: row.checkInIds)
                }
            }
        }
        if filter.status != .final {
            let groups = try await ledger.unsettledCharges(at: now, customerId: filter.customerId, on: db).groups
            let pending = groups.map { ledger.charge($0.key, $0.value.visits, zone: $0.value.zone, now: now) }
                .filter { $0.dayStart >= filter.from && $0.dayStart < filter.to && (filter.locationId == nil || filter.locationId == $0.locationId) }
            // A day stored final since its visits were read is not pending any more.
            let stored = Set(try await ChargeModel.query(on: db).filter(\.$id ~~ pending.map(\.id)).all(\.$id))
            charges += pending.filter { !stored.contains($0.id) }
        }
        return charges.sorted { ($0.dayStart, $0.customerId?.uuidString ?? "", $0.locationId.uuidString) < ($1.dayStart, $1.customerId?.uuidString ?? "", $1.locationId.uuidString) }
    }

    static func csv(_ charges: [Ledger.Charge], on db: any Database) async throws -> String {
        let customers = try await CustomerModel.query(on: db).filter(\.$id ~~ charges.compactMap(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let locations = try await LocationModel.query(on: db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        var text = CSV.line(["id", "customerId", "customerName", "locationId", "locationName", "day", "minutes", "amount", "currency",
                             "status", "checkInIds"])
        for charge in charges {
            text += CSV.line([charge.id.uuidString, charge.customerId?.uuidString ?? "", CSV.text(charge.customerId.flatMap { customers[$0] } ?? ""),
                              charge.locationId.uuidString, CSV.text(locations[charge.locationId] ?? ""), charge.day.description,
                              String(charge.minutes), String(charge.amount), charge.currency, charge.isFinal ? "final" : "pending",
                              charge.checkInIds.map(\.uuidString).joined(separator: " ")])
        }
        return text
    }
}

struct ChargeDTO: WireObject {
    var id: UUID
    var customerId: UUID?
    var locationId: UUID
    /// The location day, `YYYY-MM-DD`.
    var day: String
    var minutes: Int
    /// Minor units of `currency`.
    var amount: Int64
    var currency: String
    var status: String
    var checkInIds: [UUID]

    init(_ charge: Ledger.Charge) {
        id = charge.id
        customerId = charge.customerId
        locationId = charge.locationId
        day = charge.day.description
        minutes = charge.minutes
        amount = charge.amount
        currency = charge.currency
        status = charge.isFinal ? ChargesController.Status.final.rawValue : ChargesController.Status.pending.rawValue
        checkInIds = charge.checkInIds
    }
}
