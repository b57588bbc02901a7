import FootfallCore
import Foundation
import Vapor

/// The admin panel's HTML, rendered by the server; its styles and script are `Assets/admin.css`
/// and `Assets/admin.js`, nothing from elsewhere.
enum AdminPage: HTMLVocabulary {
    static func response(status: HTTPStatus, html: String) -> Response {
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        response.headers.cacheControl = .init(noStore: true)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Asset.contentSecurityPolicy)
        return response
    }

    /// Runs a change made through a page's form, with the API's own checks; when they refuse it,
    /// or the writer could not make it, the page is shown again (by `render`) with the reason in
    /// words and the API's status.
    static func refusals(_ request: Request, render: (Message) async throws -> Response,
                         _ body: () async throws -> Response) async throws -> Response {
        let status: HTTPStatus, reason: String
        do {
            return try await body()
        } catch let error as APIError {
            (status, reason) = (error.status, error.problem.detail)
        } catch let error as LedgerError {
            (status, reason) = (APIError(error).status, APIError(error).problem.detail)
        } catch let error as DecodingError {
            (status, reason) = (.badRequest, ProblemMiddleware.problem(for: error, request: request).detail)
        } catch {
            // The server stopping, or the database out of reach: nothing was saved, and the form
            // is kept to be sent again.
            guard let unmade = APIError(unmadeWrite: error) else { throw error }
            (status, reason) = (unmade.status, unmade.problem.detail)
        }
        let response = try await render(.bad(reason))
        response.status = status
        return response
    }

    static func forbidden() -> Response {
        response(status: .forbidden, html: document(title: "Footfall", styles: [.base, .admin]) {
            main {
                h1 { "This form has expired" }
                p { "It was sent without its security token. Go back, reload the page and send it again." }
                p { a(.href("/admin")) { "Back to the admin panel" } }
            }
        })
    }

    static func signIn(csrf: String, next: String, email: String, message: String?) -> String {
        document(title: "Sign in · Footfall", styles: [.base, .admin]) {
            postForm("/admin/sign-in", csrf: csrf, .class("sign-in")) {
                h1 { "Footfall" }
                if let message { p(.class("error"), .role("alert")) { message } }
                input(.type("hidden"), .name("next"), .value(next))
                label(.for("email")) { "Email" }
                input(.id("email"), .name("email"), .type("email"), .autocomplete("username"), .value(email), .required,
                      email.isEmpty ? .autofocus : nil)
                label(.for("password")) { "Password" }
                input(.id("password"), .name("password"), .type("password"), .autocomplete("current-password"), .required,
                      email.isEmpty ? nil : .autofocus)
                button(.type("submit")) { "Sign in" }
            }
        }
    }

    static let sections = [("Who is in", "/admin"), ("Check in", "/admin/check-in"), ("Customers", "/admin/customers"), ("Visitors", "/admin/visitors"),
                           ("Failed check-ins", "/admin/failed"), ("Reports", "/admin/reports"), ("Charges", "/admin/charges"), ("Locations", "/admin/locations"),
                           ("Plans", "/admin/plans"), ("Devices", "/admin/devices"), ("Webhooks", "/admin/webhooks")]

    /// The frame of every signed-in page: the title bar with who is signed in and sign-out.
    static func signedIn(title: String, user: AdminUserModel, csrf: String, @NodeBuilder body: () -> [Node]) -> String {
        document(title: "\(title) · Footfall", styles: [.base, .admin], scripts: [.adminScript]) {
            header {
                span(.class("brand")) { "Footfall" }
                nav { for (name, path) in sections { a(.href(path)) { name } } }
                span { user.name }
                postForm("/admin/sign-out", csrf: csrf) { button(.type("submit")) { "Sign out" } }
            }
            main {
                h1 { title }
                body()
            }
        }
    }

    struct LocationPresence {
        var id: UUID
        var name: String
        var timeZone: TimeZone
        var capacity: Int?
        var people: [(checkInId: UUID, name: String, since: Date, method: String)]
    }

    /// One location's card: the count against capacity, and each person with a check-out button.
    /// The who-is-in page swaps a fresh copy in when the events stream says something changed.
    static func locationCard(_ location: LocationPresence, csrf: String) -> Node {
        // Times on the location's own clock.
        let time = Date.FormatStyle(date: .omitted, time: .shortened, timeZone: location.timeZone)
        return section(.class("card"), .data("data-location", location.id.uuidString)) {
            h2 { location.name }
            div {
                span(.class("count")) { String(location.people.count) }
                if let capacity = location.capacity { " "; span(.class("muted")) { "of \(capacity)" } }
                " in"
            }
            if location.people.isEmpty {
                p(.class("muted")) { "Nobody is in." }
            } else {
                table {
                    for person in location.people {
                        tr {
                            td { person.name }
                            td(.class("when")) { "since \(person.since.formatted(time)) · \(person.method)" }
                            td {
                                postForm("/admin/check-ins/\(person.checkInId)/check-out", csrf: csrf) {
                                    button(.class("small"), .type("submit"), .data("data-check-out", person.checkInId.uuidString)) { "Check out" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func whoIsIn(_ locations: [LocationPresence], user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Who is in", user: user, csrf: csrf) {
            if locations.isEmpty {
                p(.class("muted")) { "No locations yet." }
            } else {
                div(.class("cards"), .data("data-live", "who-is-in")) {
                    for location in locations { locationCard(location, csrf: csrf) }
                }
            }
        }
    }

    /// A refusal in words for the person at the desk.
    static func words(for reason: ReasonCode) -> String { ReasonWording.words(for: reason).desk }

    /// What became of a form that was sent: done, or refused and why.
    enum Message: HTMLVocabulary {
        case good(String)
        case bad(String)

        var node: Node {
            switch self {
            case .good(let text): Self.p(.class("ok"), .role("status"), .id("message")) { text }
            case .bad(let text): Self.p(.class("error"), .role("alert"), .id("message")) { text }
            }
        }
    }

    /// A `select`'s locations, `any` (when given) first for none in particular.
    static func locationOptions(_ locations: [LocationModel], selected: UUID?, any: String?) -> [Node] {
        (any.map { anyLabel in [option(.value("")) { anyLabel }] } ?? []) + locations.map { location in
            option(.value(location.id!.uuidString), .selected(location.id == selected)) { location.name }
        }
    }
}
