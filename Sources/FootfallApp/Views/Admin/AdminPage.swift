import FootfallCore
import Foundation
import Vapor

/// The admin panel's HTML, rendered by the server; no scripts or styles from elsewhere.
enum AdminPage {
    static let style = """
        body { display: flex; flex-direction: column; min-height: 100%; }
        header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.25rem; background: var(--ink); color: #fff; }
        header .brand { font-size: 1.1rem; font-weight: 700; flex: 1; }
        header span, header button, nav a { white-space: nowrap; }
        main h1 { font-size: 1.5rem; margin: 0 0 1rem; }
        header form { margin: 0; }
        header button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: .4rem; padding: .35rem .8rem; font: inherit; cursor: pointer; }
        main { padding: 1.25rem; max-width: 72rem; width: 100%; margin: 0 auto; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
        .card { background: #fff; border: 1px solid #d9dce3; border-radius: .75rem; padding: 1rem 1.25rem; }
        .card h2 { margin: 0 0 .25rem; font-size: 1.15rem; }
        .count { font-size: 2rem; font-weight: 700; color: var(--accent); }
        .muted { color: var(--muted); }
        table { width: 100%; border-collapse: collapse; margin-top: .5rem; }
        td { padding: .35rem 0; border-top: 1px solid #eceef2; }
        td.when { text-align: right; color: var(--muted); white-space: nowrap; }
        .sign-in { max-width: 24rem; margin: 12vh auto; background: #fff; border: 1px solid #d9dce3; border-radius: .75rem; padding: 1.5rem; }
        .sign-in h1 { margin-top: 0; }
        label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
        input { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid #b8bfcc; border-radius: .4rem; }
        .sign-in button { margin-top: 1.25rem; width: 100%; font: inherit; font-weight: 600; padding: .7rem; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; }
        .error { color: var(--bad); font-weight: 600; }
        .ok { color: var(--accent); font-weight: 600; }
        .bar { height: .6rem; background: #eceef2; border-radius: .3rem; overflow: hidden; }
        .bar span { display: block; height: 100%; background: var(--accent); }
        .bar span.over { background: var(--bad); }
        main h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
        .card form { margin-top: .75rem; }
        nav { display: flex; gap: .25rem; flex-wrap: wrap; }
        nav a { color: #fff; text-decoration: none; padding: .35rem .6rem; border-radius: .4rem; }
        nav a:hover { background: #ffffff22; }
        td form { margin: 0; display: inline; }
        .small { white-space: nowrap; font: inherit; font-size: .85rem; padding: .25rem .6rem; border: 1px solid #b8bfcc; background: #fff; border-radius: .4rem; cursor: pointer; }
        .filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
        .filters label { margin: 0 0 .25rem; }
        .filters input, .filters select { width: auto; max-width: 22rem; }
        .results input, .results select { width: auto; }
        .card td:first-child { width: 100%; }
        select { font: inherit; padding: .55rem .6rem; border: 1px solid #b8bfcc; border-radius: .4rem; background: #fff; }
        .primary { font: inherit; font-weight: 600; padding: .6rem 1rem; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; }
        .results .card { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; }
        .results .card strong { flex: 1 1 12rem; }
        th { text-align: left; color: var(--muted); font-weight: 600; padding: .35rem .5rem .35rem 0; }
        td { padding-right: .5rem; }
        .table { background: #fff; border: 1px solid #d9dce3; border-radius: .75rem; padding: .5rem 1rem; overflow-x: auto; }
        @media (max-width: 700px) { header { flex-wrap: wrap; } header .brand { flex-basis: 100%; } }
        """ + chartStyle + setupStyle

    static func response(status: HTTPStatus, html: String) -> Response {
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        response.headers.cacheControl = .init(noStore: true)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        return response
    }

    /// Runs a change made through a page's form, with the API's own checks; when they refuse it,
    /// the page is shown again (by `render`) with the reason in words and the API's status.
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
        }
        let response = try await render(.bad(reason))
        response.status = status
        return response
    }

    static func forbidden() -> Response {
        response(status: .forbidden, html: page(title: "Footfall", style: style, body: """
            <main><h1>This form has expired</h1><p>It was sent without its security token. Go back, reload the page and send it again.</p>
            <p><a href="/admin">Back to the admin panel</a></p></main>
            """))
    }

    static func signIn(csrf: String, next: String, email: String, message: String?) -> String {
        page(title: "Sign in · Footfall", style: style, body: """
            <form class="sign-in" method="post" action="/admin/sign-in">
              <h1>Footfall</h1>
              \(message.map { "<p class=\"error\" role=\"alert\">\(escapeHTML($0))</p>" } ?? "")
              <input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
              <input type="hidden" name="next" value="\(escapeHTML(next))">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="username" value="\(escapeHTML(email))" required\(email.isEmpty ? " autofocus" : "")>
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required\(email.isEmpty ? "" : " autofocus")>
              <button type="submit">Sign in</button>
            </form>
            """)
    }

    /// The frame of every signed-in page: the title bar with who is signed in and sign-out.
    static func signedIn(title: String, user: AdminUserModel, csrf: String, body: String, script: String = "") -> String {
        page(title: "\(title) · Footfall", style: style, body: """
            <header><span class="brand">Footfall</span>
              <nav><a href="/admin">Who is in</a><a href="/admin/check-in">Check in</a><a href="/admin/customers">Customers</a><a href="/admin/failed">Failed check-ins</a><a href="/admin/reports">Reports</a><a href="/admin/locations">Locations</a><a href="/admin/plans">Plans</a><a href="/admin/devices">Devices</a></nav>
              <span>\(escapeHTML(user.name))</span>
              <form method="post" action="/admin/sign-out"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))"><button type="submit">Sign out</button></form>
            </header>
            <main><h1>\(escapeHTML(title))</h1>\(body)</main>
            """, script: script)
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
    static func locationCard(_ location: LocationPresence, csrf: String) -> String {
        // Times on the location's own clock.
        let time = Date.FormatStyle(date: .omitted, time: .shortened, timeZone: location.timeZone)
        let rows = location.people.map { person in
            """
            <tr><td>\(escapeHTML(person.name))</td><td class="when">since \(person.since.formatted(time)) · \(escapeHTML(person.method))</td>
            <td><form method="post" action="/admin/check-ins/\(person.checkInId)/check-out"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">\
            <button class="small" type="submit" data-check-out="\(person.checkInId)">Check out</button></form></td></tr>
            """
        }.joined()
        return """
            <section class="card" data-location="\(location.id)"><h2>\(escapeHTML(location.name))</h2>
            <div><span class="count">\(location.people.count)</span>\(location.capacity.map { " <span class=\"muted\">of \($0)</span>" } ?? "") in</div>
            \(rows.isEmpty ? "<p class=\"muted\">Nobody is in.</p>" : "<table>\(rows)</table>")</section>
            """
    }

    static func whoIsIn(_ locations: [LocationPresence], user: AdminUserModel, csrf: String) -> String {
        let cards = locations.map { locationCard($0, csrf: csrf) }.joined()
        return signedIn(title: "Who is in", user: user, csrf: csrf,
                        body: locations.isEmpty ? "<p class=\"muted\">No locations yet.</p>" : "<div class=\"cards\">\(cards)</div>",
                        script: liveScript)
    }

    /// Live updates: when the events stream tells of a check-in or check-out at a location, that
    /// location's card is fetched again and swapped in; no reload. A burst of events (a busy
    /// Wi-Fi floor, a class arriving) costs one fetch per location, a quarter second later.
    static let liveScript = """
        const source = new EventSource("/api/v1/events/stream");
        const pending = new Map();
        async function refresh(locationId) {
          pending.delete(locationId);
          const card = document.querySelector(`[data-location="${locationId}"]`);
          if (!card) return;
          const response = await fetch(`/admin/locations/${locationId}/card`, { headers: { Accept: "text/html" } });
          if (response.ok) card.outerHTML = await response.text();
        }
        function changed(locationId) {
          if (!pending.has(locationId)) pending.set(locationId, setTimeout(() => refresh(locationId), 250));
        }
        for (const name of ["check_in", "check_out"]) {
          source.addEventListener(name, (event) => changed(JSON.parse(event.data).locationId));
        }
        """

    /// A refusal in words for the person at the desk.
    static func words(for reason: ReasonCode) -> String {
        switch reason {
        case .pinLocked: "PIN entry is locked at that kiosk after too many wrong PINs."
        case .codeLocked: "Member-code entry is locked at that kiosk after too many wrong codes."
        case .unknownCredential: "Nobody has that card, PIN, code or login."
        case .customerInactive: "The customer is deactivated."
        case .locationFull: "The location is full."
        case .locationClosed: "The location is closed at this time."
        case .planLocationNotAllowed: "Their plan does not include this location."
        case .outsideAccessHours: "Their plan does not allow access at this time."
        case .planLimitReached: "They have used their plan's allowance for this period."
        case .noValidPass: "They have no plan or pass valid here today."
        }
    }
}
