import Fluent
import FootfallCore
import Vapor

struct CheckInsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let checkIns = routes.grouped("check-ins")
        checkIns.post(use: checkIn)
        checkIns.get(use: list)
        checkIns.post(":checkInId", "check-out", use: checkOut)
        checkIns.patch(":checkInId", use: edit)
        routes.get("locations", ":locationId", "presence", use: presence)
        routes.get("failed-check-ins", use: failures)
    }

    func checkIn(request: Request) async throws -> Response {
        let input = try request.decodeJSONBody(CheckInInput.self)
        let at = try Self.time(input.at, field: "at", now: request.clock.now())
        guard let customer = try await CustomerModel.find(input.customerId, on: request.db) else {
            throw APIError.invalidRequest(field: "customerId", detail: "no customer \(input.customerId).")
        }
        guard let location = try await LocationModel.find(input.locationId, on: request.db) else {
            throw APIError.invalidRequest(field: "locationId", detail: "no location \(input.locationId).")
        }
        let attempt = Ledger.Attempt(customer: customer, location: location, at: at, method: .admin, stamped: input.at != nil)
        switch try await request.ledger.checkIn(attempt) {
        case .checkedIn(let visit, _): return try CheckInDTO(visit).response(status: .created)
        case .alreadyIn(let visit): return try CheckInDTO(visit).response(status: .ok)
        case .refused(let reason, let failed): throw APIError.checkInRefused(reason, failedCheckInId: try failed.requireID())
        }
    }

    func checkOut(request: Request) async throws -> CheckInDTO {
        let id = try Check.uuid(request, "checkInId")
        let input = request.body.data == nil ? CheckOutInput() : try request.decodeJSONBody(CheckOutInput.self)
        let at = try input.at.map { try Self.time($0, field: "at", now: request.clock.now()) }
        switch try await request.ledger.checkOut(id, at: at, method: .admin) {
        case .checkedOut(let visit): return CheckInDTO(visit)
        case .alreadyCheckedOut: throw APIError.conflict(code: "already_checked_out", detail: "This visit is closed already.")
        }
    }

    /// Corrects a visit's times; the change is written to the audit log with who made it.
    func edit(request: Request) async throws -> CheckInDTO {
        let id = try Check.uuid(request, "checkInId")
        let input = try request.decodeJSONBody(CheckInEdit.self)
        let visit = try await request.ledger.editTimes(id, checkedInAt: input.checkedInAt, checkedOutAt: input.checkedOutAt,
                                                       actor: request.adminName)
        return CheckInDTO(visit)
    }

    func list(request: Request) async throws -> Page<CheckInDTO> {
        var query = CheckInModel.query(on: request.db).sort(\.$checkedInAt, .descending).sort(\.$id)
        if let id = try Check.queryUUID(request, "locationId") { query = query.filter(\.$locationId == id) }
        if let id = try Check.queryUUID(request, "customerId") { query = query.filter(\.$customerId == id) }
        if let from = try Check.queryTime(request, "from") { query = query.filter(\.$checkedInAt >= from) }
        if let to = try Check.queryTime(request, "to") { query = query.filter(\.$checkedInAt < to) }
        if let open: String = request.query["open"] {
            switch open {
            case "true": query = query.filter(\.$checkedOutAt == nil)
            case "false": query = query.filter(\.$checkedOutAt != nil)
            default: throw APIError.invalidRequest(field: "open", detail: "must be true or false.")
            }
        }
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(CheckInDTO.init), nextCursor: page.nextCursor)
    }

    func presence(request: Request) async throws -> PresenceDTO {
        let location = try await LocationsController.find(request)
        let locationId = try location.requireID()
        let items = try await Standing(db: request.db).whoIsIn(at: [locationId]).map { visit, name in
            PresenceDTO.Person(checkInId: visit.id!, customer: .init(id: visit.customerId, name: name),
                               checkedInAt: visit.checkedInAt, method: visit.method)
        }
        return PresenceDTO(locationId: locationId, count: items.count, capacity: location.capacity, items: items)
    }

    func failures(request: Request) async throws -> Page<FailedCheckInDTO> {
        var query = FailedCheckInModel.query(on: request.db).sort(\.$at, .descending).sort(\.$id)
        if let id = try Check.queryUUID(request, "locationId") { query = query.filter(\.$locationId == id) }
        if let reason: String = request.query["reason"] {
            guard ReasonCode(rawValue: reason) != nil else {
                throw APIError.invalidRequest(field: "reason", detail: "is not a reason code.")
            }
            query = query.filter(\.$reason == reason)
        }
        if let from = try Check.queryTime(request, "from") { query = query.filter(\.$at >= from) }
        if let to = try Check.queryTime(request, "to") { query = query.filter(\.$at < to) }
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(FailedCheckInDTO.init), nextCursor: page.nextCursor)
    }

    /// A time given by the client, or now; never meaningfully in the future.
    static func time(_ given: Date?, field: String, now: Date) throws -> Date {
        guard let given else { return now }
        guard given <= now + Ledger.futureTolerance else {
            throw APIError.invalidRequest(field: field, detail: "must not be in the future.")
        }
        return given
    }
}
