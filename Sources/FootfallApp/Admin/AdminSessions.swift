import Fluent
import Vapor

/// Browser sessions of the admin panel: a random cookie (only its SHA-256 is stored), HttpOnly,
/// SameSite=Lax, Secure when the public URL is https; each session has the CSRF token its forms
/// and API calls must send back.
enum AdminSessions {
    static let cookieName = "footfall_session"
    /// The sign-in form's own CSRF token, before there is a session (double-submit cookie).
    static let signInCookieName = "footfall_sign_in"
    static let lifetime: TimeInterval = 12 * 3600

    struct Current: Sendable {
        let session: AdminSessionModel
        let user: AdminUserModel
    }

    static func start(for user: AdminUserModel, on request: Request) async throws -> (token: String, session: AdminSessionModel) {
        let token = SecretToken.make()
        let session = AdminSessionModel()
        session.tokenHash = SecretToken.digest(token)
        session.userId = try user.requireID()
        session.csrfToken = SecretToken.make()
        session.expiresAt = request.clock.now() + lifetime
        try await session.create(on: request.db)
        return (token, session)
    }

    /// The signed-in admin of this request, if its cookie names a live session.
    static func current(_ request: Request) async throws -> Current? {
        if let cached = request.storage[CurrentKey.self] { return cached }
        guard let token = request.cookies[cookieName]?.string, !token.isEmpty,
              let session = try await AdminSessionModel.query(on: request.db).filter(\.$tokenHash == SecretToken.digest(token)).first(),
              session.expiresAt > request.clock.now(),
              let user = try await AdminUserModel.find(session.userId, on: request.db)
        else { return nil }
        let current = Current(session: session, user: user)
        request.storage[CurrentKey.self] = current
        return current
    }

    /// Whether this session is still signed in: not signed out (deleted) and not expired.
    static func isLive(_ session: AdminSessionModel, _ app: Application) async throws -> Bool {
        guard let id = session.id, let stored = try await AdminSessionModel.find(id, on: app.db) else { return false }
        return stored.expiresAt > app.settings.clock.now()
    }

    static func cookie(_ value: String, maxAge: Int?, sameSite: HTTPCookies.SameSitePolicy = .lax, on request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: request.application.settings.baseURL.hasPrefix("https://"),
                          isHTTPOnly: true, sameSite: sameSite)
    }

    /// Whether a request made with the session cookie may go on: reading always, changing only
    /// with the session's CSRF token (`sent`).
    static func allows(_ request: Request, _ current: Current, sent: String?) -> Bool {
        request.method == .GET || request.method == .HEAD || csrfMatches(sent, current)
    }

    /// Whether `sent` is the session's CSRF token (compared in constant time).
    private static func csrfMatches(_ sent: String?, _ current: Current) -> Bool {
        guard let sent, !sent.isEmpty else { return false }
        return SecretToken.constantTimeEquals(sent, current.session.csrfToken)
    }

    private struct CurrentKey: StorageKey { typealias Value = Current }
}
