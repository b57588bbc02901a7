import Fluent
import Vapor

/// Lets a request through only with the key of the kiosk or reader named in the path. Another
/// device's key, a door's signing key or a Wi-Fi device's RADIUS secret (each works only for what
/// its kind of device does), or an admin token, is valid but not allowed here (403).
struct DeviceAuth: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else { throw APIError.unauthorized }
        let keyHash = SecretToken.digest(token)
        let device = try await request.ledger.lookups.devices.value(for: keyHash) {
            try await DeviceModel.query(on: request.db).filter(\.$keyHash == keyHash).first()
        }
        guard let device else {
            let isAdmin = request.application.settings.adminToken.map { SecretToken.constantTimeEquals(token, $0) } ?? false
            let isStoredAdmin = try await AdminTokenModel.query(on: request.db).filter(\.$tokenHash == SecretToken.digest(token)).count() > 0
            throw isAdmin || isStoredAdmin ? APIError.forbidden : APIError.unauthorized
        }
        guard DeviceKind(rawValue: device.kind)?.postsDeviceEvents == true,
              device.id?.canonicalText == request.parameters.get("deviceId")?.uppercased()
        else { throw APIError.forbidden }
        request.storage[DeviceKey.self] = device
        return try await next.respond(to: request)
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
