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
        let model = try request.content.decode(DeviceInput.self).model()
        guard try await LocationModel.find(model.locationId, on: request.db) != nil else {
            throw APIError.invalidRequest(field: "locationId", detail: "no location \(model.locationId).")
        }
        let key = model.kind == DeviceKind.wifi.rawValue ? SecretToken.makeAlphanumeric() : SecretToken.make()
        model.keyHash = SecretToken.digest(key)
        if model.kind == DeviceKind.wifi.rawValue || model.kind == DeviceKind.door.rawValue { model.signingKey = key }
        try await model.create(on: request.db)
        return try CreatedDeviceDTO(DeviceDTO(model), key: key).response(status: .created)
    }

    func list(request: Request) async throws -> Page<DeviceDTO> {
        var query = DeviceModel.query(on: request.db).sort(\.$createdAt).sort(\.$id)
        if let locationId = try Check.queryUUID(request, "locationId") { query = query.filter(\.$locationId == locationId) }
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(DeviceDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> DeviceDTO {
        DeviceDTO(try await find(request))
    }

    /// Name, location, direction, door map and NAS fields; the key and the kind stay.
    func update(request: Request) async throws -> DeviceDTO {
        let model = try await find(request)
        let changed = try DeviceInput.patched(model, with: try request.content.decode(DevicePatch.self))
        if changed.locationId != model.locationId, try await LocationModel.find(changed.locationId, on: request.db) == nil {
            throw APIError.invalidRequest(field: "locationId", detail: "no location \(changed.locationId).")
        }
        model.name = changed.name
        model.locationId = changed.locationId
        model.direction = changed.direction
        model.doors = changed.doors
        model.nasIdentifier = changed.nasIdentifier
        model.nasIp = changed.nasIp
        try await model.update(on: request.db)
        request.ledger.lookups.devices.removeAll()
        return DeviceDTO(model)
    }

    func delete(request: Request) async throws -> HTTPStatus {
        try await find(request).delete(on: request.db)
        request.ledger.lookups.devices.removeAll()
        return .noContent
    }

    private func find(_ request: Request) async throws -> DeviceModel {
        guard let model = try await DeviceModel.find(Check.uuid(request, "deviceId"), on: request.db) else {
            throw APIError.notFound("device")
        }
        return model
    }
}
