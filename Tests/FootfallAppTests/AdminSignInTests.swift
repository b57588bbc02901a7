@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

/// A browser's view of the admin panel: form posts and the cookies it keeps.
struct PanelBrowser {
    let app: Application
    var cookies: [String: String] = [:]

    /// Sends a request with the kept cookies and keeps those the answer sets (or clears).
    mutating func send(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil,
                       headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(method, path, rawForm: form?.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&"), headers: extra)
    }

    /// The same with a form body as written, for repeated fields such as `locationIds[]`.
    mutating func send(_ method: HTTPMethod, _ path: String, rawForm: String?, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = extra
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; ")) }
        var body: ByteBuffer?
        if let rawForm {
            headers.contentType = .urlEncodedForm
            body = ByteBuffer(string: rawForm)
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for (name, value) in response.headers.setCookie?.all ?? [:] {
            cookies[name] = value.maxAge == 0 ? nil : value.string
        }
        cookies = cookies.filter { !$0.value.isEmpty }
        return response
    }

    /// The hidden `_csrf` value of the form in a page.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range]).components(separatedBy: "value=\"").last?.dropLast().description
    }

    /// An operator's browser, signed in as a new admin user of the app.
    static func signedIn(to api: API) async throws -> PanelBrowser {
        try await AdminUsers.create(email: "ops@example.com", password: "correct horse battery", name: nil, in: api.app)
        var browser = PanelBrowser(app: api.app)
        #expect(try await browser.signIn("ops@example.com", "correct horse battery").status == .seeOther)
        return browser
    }

    mutating func signIn(_ email: String, _ password: String) async throws -> TestingHTTPResponse {
        let form = try await send(.GET, "/admin/sign-in")
        let csrf = try #require(Self.csrf(in: form.body.string))
        return try await send(.POST, "/admin/sign-in", form: ["email": email, "password": password, "_csrf": csrf])
    }
}

@Suite("Admin panel sign-in, sessions and CSRF")
struct AdminSignInTests {
    static let email = "ops@example.com", password = "correct horse battery"

    @Test func signInShowsWhoIsInAndSignOutEndsTheSession() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: "Olivia Ops", in: api.app)
            let location = try await api.location(["name": "Mitte"])
            let ada = try await api.customer(planId: try await api.plan(), ["name": "Ada Lovelace"])
            _ = try await api.checkIn(ada, at: location)
            var browser = PanelBrowser(app: api.app)

            let away = try await browser.send(.GET, "/admin")
            #expect(away.status == .seeOther)
            #expect(away.headers.first(name: .location) == "/admin/sign-in?next=/admin")

            let signedIn = try await browser.signIn(Self.email, Self.password)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers.first(name: .location) == "/admin")
            let cookie = try #require(signedIn.headers.setCookie?[AdminSessions.cookieName])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure)

            let page = try await browser.send(.GET, "/admin")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Olivia Ops"))
            #expect(page.body.string.contains("Mitte"))
            #expect(page.body.string.contains("Ada Lovelace"))
            #expect(page.body.string.contains("since 10:00"))  // 09:00Z on Berlin's clock

            // Signing out needs the page's token; without it, nothing happens.
            let csrf = try #require(PanelBrowser.csrf(in: page.body.string))
            #expect(try await browser.send(.POST, "/admin/sign-out", form: [:]).status == .forbidden)
            #expect(try await browser.send(.GET, "/admin").status == .ok)
            let out = try await browser.send(.POST, "/admin/sign-out", form: ["_csrf": csrf])
            #expect(out.status == .seeOther)
            #expect(try await browser.send(.GET, "/admin").status == .seeOther)
        }
    }

    /// The tests' servers hash at cost 4 to keep the suite quick; a server with the settings
    /// `footfall serve` starts with stores cost 12, and its users sign in with it.
    @Test func passwordsAreStoredAtBcryptCostTwelve() async throws {
        try await withFootfall(settings: { $0.passwordCost = Settings().passwordCost }) { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: nil, in: api.app)
            let user = try #require(try await AdminUserModel.query(on: api.app.db).first())
            #expect(user.passwordHash.hasPrefix("$2b$12$"), "\(user.passwordHash.prefix(7))")
            var browser = PanelBrowser(app: api.app)
            #expect(try await browser.signIn(Self.email, Self.password).status == .seeOther)
        }
    }

    @Test func wrongPasswordsAndUnknownEmailsAreRefusedAlike() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: nil, in: api.app)
            for (email, password) in [(Self.email, "wrong password"), ("nobody@example.com", Self.password), ("", "")] {
                var browser = PanelBrowser(app: api.app)
                let reply = try await browser.signIn(email, password)
                #expect(reply.status == .unauthorized, "\(email)")
                #expect(reply.body.string.contains("Wrong email or password."))
                #expect(reply.headers.setCookie?[AdminSessions.cookieName] == nil)
            }
        }
    }

    @Test func aFormWithoutItsTokenIsRefused() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            _ = try await browser.send(.GET, "/admin/sign-in")
            let forged = try await browser.send(.POST, "/admin/sign-in", form: ["email": Self.email, "password": Self.password])
            #expect(forged.status == .forbidden)
            #expect(forged.headers.setCookie?[AdminSessions.cookieName] == nil)
            let wrong = try await browser.send(.POST, "/admin/sign-in", form: ["email": Self.email, "password": Self.password, "_csrf": "guess"])
            #expect(wrong.status == .forbidden)
        }
    }

    @Test func theAPIAcceptsTheSessionForReadingAndWithItsTokenForChanges() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            #expect(try await browser.send(.GET, "/api/v1/locations").status == .unauthorized)
            _ = try await browser.signIn(Self.email, Self.password)
            #expect(try await browser.send(.GET, "/api/v1/locations").status == .ok)
            let body = #"{"name":"Kreuzberg","timeZone":"Europe/Berlin"}"#
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            let refused = try await api.app.testing().sendRequest(.POST, "/api/v1/locations",
                headers: headers.adding(cookies: browser.cookies), body: ByteBuffer(string: body))
            #expect(refused.status == .forbidden)
            let page = try await browser.send(.GET, "/admin")
            headers.add(name: "X-CSRF-Token", value: try #require(PanelBrowser.csrf(in: page.body.string)))
            let created = try await api.app.testing().sendRequest(.POST, "/api/v1/locations",
                headers: headers.adding(cookies: browser.cookies), body: ByteBuffer(string: body))
            #expect(created.status == .created)
        }
    }

    @Test func cookiesAreSecureBehindHTTPSAndNextStaysOnTheSite() async throws {
        try await withFootfall(settings: { $0.publicURL = "https://footfall.example" }) { api in
            try await AdminUsers.create(email: Self.email, password: Self.password, name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            let form = try await browser.send(.GET, "/admin/sign-in?next=https://evil.example/")
            #expect(form.body.string.contains(#"name="next" value="/admin""#))
            let csrf = try #require(PanelBrowser.csrf(in: form.body.string))
            let signedIn = try await browser.send(.POST, "/admin/sign-in",
                                                  form: ["email": Self.email, "password": Self.password, "_csrf": csrf, "next": "//evil.example"])
            #expect(signedIn.headers.first(name: .location) == "/admin")
            #expect(signedIn.headers.setCookie?[AdminSessions.cookieName]?.isSecure == true)
        }
    }
}

extension HTTPHeaders {
    func adding(cookies: [String: String]) -> HTTPHeaders {
        var headers = self
        headers.add(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
        return headers
    }
}
