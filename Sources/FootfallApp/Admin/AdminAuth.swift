import Fluent
import Vapor

/// Lets a request through only with an admin bearer token: the `FOOTFALL_ADMIN_TOKEN`
/// setting, or one made by `footfall admin token` (looked up by its SHA-256). The admin panel's
/// pages call the API with their session cookie instead: reading freely, changing only with the
/// session's CSRF token in `X-CSRF-Token`.
struct AdminAuth: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else {
            guard let current = try await AdminSessions.current(request) else { throw APIError.unauthorized }
            guard AdminSessions.allows(request, current, sent: request.headers.first(name: "X-CSRF-Token")) else { throw APIError.forbidden }
            request.adminName = current.user.email
            return try await next.respond(to: request)
        }
        if let configured = request.application.settings.adminToken, SecretToken.constantTimeEquals(token, configured) {
            request.adminName = "env-token"
            return try await next.respond(to: request)
        }
        guard let stored = try await AdminTokenModel.query(on: request.db)
            .filter(\.$tokenHash == SecretToken.digest(token)).first()
        else {
            throw try await Self.isDeviceKey(token, request) ? APIError.forbidden : APIError.unauthorized
        }
        request.adminName = stored.name
        return try await next.respond(to: request)
    }

    /// A device key is a valid credential, just not for admin endpoints.
    private static func isDeviceKey(_ token: String, _ request: Request) async throws -> Bool {
        try await DeviceModel.query(on: request.db).filter(\.$keyHash == SecretToken.digest(token)).count() > 0
    }
}

extension Request {
    private struct AdminNameKey: StorageKey { typealias Value = String }

    /// Who is acting, for the audit log.
    var adminName: String {
        get { storage[AdminNameKey.self] ?? "unknown" }
        set { storage[AdminNameKey.self] = newValue }
    }
}
