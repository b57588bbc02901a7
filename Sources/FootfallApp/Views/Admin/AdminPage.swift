import Foundation
import Vapor

/// The admin panel's HTML, rendered by the server; no scripts or styles from elsewhere.
enum AdminPage {
    static let style = """
        body { display: flex; flex-direction: column; min-height: 100%; }
        header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.25rem; background: var(--ink); color: #fff; }
        header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
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
        """

    static func response(status: HTTPStatus, html: String) -> Response {
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        response.headers.cacheControl = .init(noStore: true)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        return response
    }

    static func forbidden() -> Response {
        response(status: .forbidden, html: page(title: "Footfall", style: style, body: """
            <main><h1>This form has expired</h1><p>It was sent without its security token. Go back, reload the page and send it again.</p>
            <p><a href="/admin">Back to the admin panel</a></p></main>
            """))
    }

    static func signIn(csrf: String, next: String, message: String?) -> String {
        page(title: "Sign in · Footfall", style: style, body: """
            <form class="sign-in" method="post" action="/admin/sign-in">
              <h1>Footfall</h1>
              \(message.map { "<p class=\"error\" role=\"alert\">\(escapeHTML($0))</p>" } ?? "")
              <input type="hidden" name="_csrf" value="\(escapeHTML(csrf))">
              <input type="hidden" name="next" value="\(escapeHTML(next))">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="username" required autofocus>
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">Sign in</button>
            </form>
            """)
    }

    /// The frame of every signed-in page: the title bar with who is signed in and sign-out.
    static func signedIn(title: String, user: AdminUserModel, csrf: String, body: String) -> String {
        page(title: "\(title) · Footfall", style: style, body: """
            <header><h1>Footfall · \(escapeHTML(title))</h1><span>\(escapeHTML(user.name))</span>
              <form method="post" action="/admin/sign-out"><input type="hidden" name="_csrf" value="\(escapeHTML(csrf))"><button type="submit">Sign out</button></form>
            </header>
            <main>\(body)</main>
            """)
    }

    struct LocationPresence {
        var name: String
        var timeZone: TimeZone
        var capacity: Int?
        var people: [(name: String, since: Date, method: String)]
    }

    static func whoIsIn(_ locations: [LocationPresence], user: AdminUserModel, csrf: String) -> String {
        let cards = locations.map { location in
            // Times on the location's own clock.
            let time = Date.FormatStyle(date: .omitted, time: .shortened, timeZone: location.timeZone)
            let rows = location.people.map { person in
                "<tr><td>\(escapeHTML(person.name))</td><td class=\"when\">since \(person.since.formatted(time)) · \(escapeHTML(person.method))</td></tr>"
            }.joined()
            return """
                <section class="card"><h2>\(escapeHTML(location.name))</h2>
                <div><span class="count">\(location.people.count)</span>\(location.capacity.map { " <span class=\"muted\">of \($0)</span>" } ?? "") in</div>
                \(rows.isEmpty ? "<p class=\"muted\">Nobody is in.</p>" : "<table>\(rows)</table>")</section>
                """
        }.joined()
        return signedIn(title: "Who is in", user: user, csrf: csrf,
                        body: locations.isEmpty ? "<p class=\"muted\">No locations yet.</p>" : "<div class=\"cards\">\(cards)</div>")
    }
}
