import Fluent
import Vapor

/// The admin panel's sign-in, sign-out and pages. Every page but sign-in needs a session; a
/// signed-out visitor is sent to sign in and then back. Every form posts its session's CSRF
/// token; one posted without it is refused with 403.
struct AdminPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("sign-in", use: signInForm)
        admin.post("sign-in", use: signIn)
        let signedIn = admin.grouped(AdminPageAuth())
        signedIn.get(use: whoIsIn)
        signedIn.post("sign-out", use: signOut)
    }

    // MARK: Sign-in

    func signInForm(request: Request) async throws -> Response {
        if try await AdminSessions.current(request) != nil { return request.redirect(to: safeNext(request), redirectType: .normal) }
        return signInPage(request, status: .ok, message: nil)
    }

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var _csrf: String?
        var next: String?
    }

    func signIn(request: Request) async throws -> Response {
        let form = try request.content.decode(SignInForm.self)
        guard let sent = form._csrf, let expected = request.cookies[AdminSessions.signInCookieName]?.string,
              SecretToken.constantTimeEquals(sent, expected)
        else { return AdminPage.forbidden() }
        let email = (try? CustomerInput.normalizedEmail(form.email ?? "")) ?? ""
        let user = email.isEmpty ? nil : try await AdminUserModel.query(on: request.db).filter(\.$email == email).first()
        // Unknown emails take as long as wrong passwords, so timing tells nobody who has an account.
        let matches = try await request.password.async.verify(form.password ?? "", created: user?.passwordHash ?? Self.unknownUserHash)
        guard let user, matches else {
            request.logger.notice("admin sign-in failed", metadata: ["email": .string(email)])
            return signInPage(request, status: .unauthorized, message: "Wrong email or password.")
        }
        let (token, _) = try await AdminSessions.start(for: user, on: request)
        let response = request.redirect(to: safeNext(request, form.next), redirectType: .normal)
        response.cookies[AdminSessions.cookieName] = AdminSessions.cookie(token, maxAge: Int(AdminSessions.lifetime), on: request)
        response.cookies[AdminSessions.signInCookieName] = AdminSessions.cookie("", maxAge: 0, sameSite: .strict, on: request)
        return response
    }

    func signOut(request: Request) async throws -> Response {
        if let current = try await AdminSessions.current(request) { try await current.session.delete(on: request.db) }
        let response = request.redirect(to: "/admin/sign-in", redirectType: .normal)
        response.cookies[AdminSessions.cookieName] = AdminSessions.cookie("", maxAge: 0, on: request)
        return response
    }

    /// A Bcrypt hash of nothing anyone knows, to check passwords of unknown emails against.
    private static let unknownUserHash = (try? Bcrypt.hash(SecretToken.make())) ?? ""

    private func signInPage(_ request: Request, status: HTTPStatus, message: String?) -> Response {
        let csrf = SecretToken.make()
        let response = AdminPage.response(status: status, html: AdminPage.signIn(csrf: csrf, next: safeNext(request), message: message))
        response.cookies[AdminSessions.signInCookieName] = AdminSessions.cookie(csrf, maxAge: 3600, sameSite: .strict, on: request)
        return response
    }

    /// Where to go after signing in: a path of this site only, never another site.
    private func safeNext(_ request: Request, _ given: String? = nil) -> String {
        let next = given ?? (try? request.query.get(String.self, at: "next")) ?? "/admin"
        return next.hasPrefix("/admin") && !next.hasPrefix("//") && !next.contains("\\") ? next : "/admin"
    }

    // MARK: Pages

    func whoIsIn(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        let open = try await CheckInModel.query(on: request.db).filter(\.$checkedOutAt == nil).sort(\.$checkedInAt).all()
        let names = try await CustomerModel.query(on: request.db).filter(\.$id ~~ open.map(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let groups = locations.map { location in
            AdminPage.LocationPresence(name: location.name, timeZone: location.zone.timeZone, capacity: location.capacity,
                                       people: open.filter { $0.locationId == location.id }.map { visit in
                                           (names[visit.customerId] ?? "", visit.checkedInAt, visit.method)
                                       })
        }
        return AdminPage.response(status: .ok, html: AdminPage.whoIsIn(groups, user: current.user, csrf: current.session.csrfToken))
    }
}

/// Pages need a session; forms need its CSRF token.
struct AdminPageAuth: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let current = try await AdminSessions.current(request) else {
            let path = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/admin"
            return request.redirect(to: "/admin/sign-in?next=\(encoded)", redirectType: .normal)
        }
        if request.method != .GET, request.method != .HEAD {
            let sent = (try? request.content.get(String.self, at: "_csrf")) ?? request.headers.first(name: "X-CSRF-Token")
            guard AdminSessions.csrfMatches(sent, current) else { return AdminPage.forbidden() }
        }
        request.adminName = current.user.email
        return try await next.respond(to: request)
    }
}
