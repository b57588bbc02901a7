import Fluent
import Vapor

struct DevicesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let devices = routes.grouped("devices")
        devices.post(use: create)
        devices.get(use: list)
        devices.get(":deviceId", use: show)
        devices.patch(":deviceId", use: update)
        devices.delete(":deviceId", use: delete)
    }

    /// The key is in this answer only; the server keeps its SHA-256, and the clear key only
    /// where a protocol needs it (RADIUS shared secret, webhook signing key).
    func create(request: Request) async throws -> Response {
        let (model, key) = try await Self.create(request.decodeJSONBody(DeviceInput.self), on: request.db)
        return try CreatedDeviceDTO(DeviceDTO(model), key: key).response(status: .created)
    }

    /// What the API and the admin panel's form both do; the key is returned here only.
    static func create(_ input: DeviceInput, on db: any Database) async throws -> (DeviceModel, key: String) {
        let model = try input.model()
        try await checkLocation(model.locationId, on: db)
        let key = model.kind == DeviceKind.wifi.rawValue ? SecretToken.makeAlphanumeric() : SecretToken.make()
        model.keyHash = SecretToken.digest(key)
        if model.kind == DeviceKind.wifi.rawValue || model.kind == DeviceKind.door.rawValue { model.signingKey = StoredSecret(key) }
        try await model.create(on: db)
        return (model, key)
    }

    private static func checkLocation(_ id: UUID, on db: any Database) async throws {
        guard try await LocationModel.find(id, on: db) != nil else {
            throw APIError.invalidRequest(field: "locationId", detail: "no location \(id).")
        }
    }

    func list(request: Request) async throws -> Page<DeviceDTO> {
        var query = DeviceModel.query(on: request.db).sort(\.$createdAt).sort(\.$id)
        if let locationId = try Check.queryUUID(request, "locationId") { query = query.filter(\.$locationId == locationId) }
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(DeviceDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> DeviceDTO {
        DeviceDTO(try await Self.find(request))
    }

    /// Name, location, direction, door map and NAS fields; the key and the kind stay.
    func update(request: Request) async throws -> DeviceDTO {
        let model = try await Self.find(request)
        try await Self.update(model, with: request.decodeJSONBody(DevicePatch.self), ledger: request.ledger, on: request.db)
        return DeviceDTO(model)
    }

    static func update(_ model: DeviceModel, with change: DevicePatch, ledger: Ledger, on db: any Database) async throws {
        let changed = try DeviceInput.patched(model, with: change)
        if changed.locationId != model.locationId { try await checkLocation(changed.locationId, on: db) }
        model.name = changed.name
        model.locationId = changed.locationId
        model.direction = changed.direction
        model.doors = changed.doors
        model.nasIdentifier = changed.nasIdentifier
        model.nasIp = changed.nasIp
        model.requireMessageAuthenticator = changed.requireMessageAuthenticator
        try await model.update(on: db)
        ledger.lookups.devices.removeAll()
    }

    func delete(request: Request) async throws -> HTTPStatus {
        try await Self.find(request).delete(on: request.db)
        request.ledger.lookups.devices.removeAll()
        return .noContent
    }

    static func find(_ request: Request) async throws -> DeviceModel {
        guard let model = try await DeviceModel.fetch(Check.uuid(request, "deviceId"), on: request.db) else {
            throw APIError.notFound("device")
        }
        return model
    }
}
