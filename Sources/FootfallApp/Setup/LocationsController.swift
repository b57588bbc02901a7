import Fluent
import FootfallCore
import Vapor

struct LocationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let locations = routes.grouped("locations")
        locations.post(use: create)
        locations.get(use: list)
        locations.get(":locationId", use: show)
        locations.patch(":locationId", use: update)
        locations.delete(":locationId", use: delete)
    }

    func create(request: Request) async throws -> Response {
        try LocationDTO(try await Self.create(request.decodeJSONBody(LocationInput.self), on: request.db)).response(status: .created)
    }

    /// What the API and the admin panel's form both do.
    static func create(_ input: LocationInput, on db: any Database) async throws -> LocationModel {
        let model = LocationModel()
        try input.apply(to: model, creating: true)
        try await model.create(on: db)
        return model
    }

    func list(request: Request) async throws -> Page<LocationDTO> {
        let page = try await PageRequest(request).fetch(LocationModel.query(on: request.db).sort(\.$createdAt).sort(\.$id))
        return Page(items: page.rows.map(LocationDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> LocationDTO {
        LocationDTO(try await Self.find(request))
    }

    func update(request: Request) async throws -> LocationDTO {
        let model = try await Self.find(request)
        try await Self.update(model, with: request.decodeJSONBody(LocationInput.self), ledger: request.ledger)
        return LocationDTO(model)
    }

    /// A new cut-off or time zone reschedules the closing of the visits open there.
    static func update(_ model: LocationModel, with input: LocationInput, ledger: Ledger) async throws {
        let cutoff = model.cutoffTime, zone = model.timeZone
        try input.apply(to: model, creating: false)
        try await ledger.update(model, reschedulingOpenVisits: model.cutoffTime != cutoff || model.timeZone != zone)
        ledger.lookups.locations.removeAll()
    }

    /// A location with history or devices stays: its records would lose their place.
    func delete(request: Request) async throws -> HTTPStatus {
        let model = try await Self.find(request)
        let id = try model.requireID()
        let visits = try await CheckInModel.query(on: request.db).filter(\.$locationId == id).count()
        let devices = try await DeviceModel.query(on: request.db).filter(\.$locationId == id).count()
        let failures = try await FailedCheckInModel.query(on: request.db).filter(\.$locationId == id).count()
        guard visits + devices + failures == 0 else {
            throw APIError.conflict(code: "location_in_use", detail: "The location has check-ins or devices; it cannot be deleted.")
        }
        try await model.delete(on: request.db)
        request.ledger.lookups.locations.removeAll()
        return .noContent
    }

    static func find(_ request: Request, parameter: String = "locationId") async throws -> LocationModel {
        guard let model = try await LocationModel.fetch(Check.uuid(request, parameter), on: request.db) else {
            throw APIError.notFound("location")
        }
        return model
    }
}
