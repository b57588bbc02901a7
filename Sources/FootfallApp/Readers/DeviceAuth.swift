import Fluent
import Vapor

/// Lets a request through only with the key of the kiosk or reader named in the path. Another
/// device's key, a door's signing key or a Wi-Fi device's RADIUS secret (each works only for what
/// its kind of device does), or an admin token, is valid but not allowed here (403).
///
/// A plain `Middleware`: with the device's key in memory (`Lookups.devices`) it lets the request
/// on at once, on its event loop; only a key not in memory is looked up in a task.
struct DeviceAuth: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else {
            return request.eventLoop.makeFailedFuture(APIError.unauthorized)
        }
        let keyHash = SecretToken.digest(token)
        if let device = request.ledger.lookups.devices.value(for: keyHash) { return admit(device, request, next) }
        return request.eventLoop.makeFutureWithTask { try await APIError.beforeAnyWrite(logger: request.logger) { try await Self.device(keyHash, token: token, request) } }
            .flatMap { admit($0, request, next) }
    }

    private func admit(_ device: DeviceModel, _ request: Request, _ next: any Responder) -> EventLoopFuture<Response> {
        guard DeviceKind(rawValue: device.kind)?.postsDeviceEvents == true,
              device.id?.canonicalText == request.parameters.get("deviceId")?.uppercased()
        else { return request.eventLoop.makeFailedFuture(APIError.forbidden) }
        request.storage[DeviceKey.self] = device
        return next.respond(to: request)
    }

    /// The device with this key, from the database (and kept in memory); else the key is unknown
    /// (401) or an admin token (403). A database out of reach answers 503 (`beforeAnyWrite`).
    private static func device(_ keyHash: String, token: String, _ request: Request) async throws -> DeviceModel {
        let device = try await request.ledger.lookups.devices.value(for: keyHash) {
            try await DeviceModel.query(on: request.db).filter(\.$keyHash == keyHash).first()
        }
        if let device { return device }
        let isAdmin = request.application.settings.adminToken.map { SecretToken.constantTimeEquals(token, $0) } ?? false
        let isStoredAdmin = try await AdminTokenModel.query(on: request.db).filter(\.$tokenHash == keyHash).count() > 0
        throw isAdmin || isStoredAdmin ? APIError.forbidden : APIError.unauthorized
    }
}

private struct DeviceKey: StorageKey { typealias Value = DeviceModel }

extension Request {
    /// The device whose key authenticated this request.
    var device: DeviceModel {
        get throws {
            guard let device = storage[DeviceKey.self] else { throw APIError.unauthorized }
            return device
        }
    }
}
