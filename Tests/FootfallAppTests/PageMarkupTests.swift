@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("Pages escape by construction and load no inline code")
struct PageMarkupTests {
    private enum Views: HTMLVocabulary {}

    @Test func textAndAttributeValuesAreEscapedAndOnlyTrustedMarkupIsNot() {
        let hostile = #"a"b'c<d>e&f"#
        let node = Views.div(.class(hostile), .data("data-x", hostile), .required) {
            hostile
            Views.input(.value(hostile))
            Node.trusted("<b>bold</b>")
        }
        #expect(node.render() == #"<div class="a&quot;b&#39;c&lt;d&gt;e&amp;f" data-x="a&quot;b&#39;c&lt;d&gt;e&amp;f" required>"#
            + #"a&quot;b&#39;c&lt;d&gt;e&amp;f<input value="a&quot;b&#39;c&lt;d&gt;e&amp;f"><b>bold</b></div>"#)
        // Text that looks like an entity is shown as typed, not as the character it names.
        #expect(Views.p { "Tom &amp; Jerry" }.render() == "<p>Tom &amp;amp; Jerry</p>")
        #expect(Views.textarea(.name("t"), text: "</textarea><script>").render() == "<textarea name=\"t\">\n&lt;/textarea&gt;&lt;script&gt;</textarea>")
    }

    /// Names that would be markup if any page put them in unescaped, in text or in an attribute,
    /// shown on every page of the panel, the kiosk and a member page; each page's policy allows
    /// no inline script or style, and it has none.
    @Test func hostileNamesStayTextOnEveryPageAndNoPageHasInlineCode() async throws {
        try await withFootfall { api in
            let hostile = #"Eve "><img src=x onerror=alert(1)> ' onmouseover='alert(2)"#
            let location = try await api.location(["name": "Loft " + hostile, "capacity": 10])
            let plan = try await api.plan(["name": "Plan " + hostile, "limits": ["period": "week", "hours": 1] as [String: any Sendable]])
            let eve = try await api.customer(planId: plan, ["name": hostile])
            let reader = try await api.device(at: location)
            _ = try await api.checkIn(eve, at: location)
            api.clock.advance(by: 2 * 3600)
            #expect(try await reader.send("card", "DEADBEEF").result == "refused")  // a failed check-in to list
            let link = try #require(try await api.get("/api/v1/customers/\(eve)/member-link").string("url"))

            var browser = try await PanelBrowser.signedIn(to: api)
            var pages: [(String, TestingHTTPResponse)] = []
            for path in ["/admin", "/admin/check-in?q=Eve", "/admin/customers", "/admin/customers/\(eve)", "/admin/failed", "/admin/reports",
                         "/admin/locations", "/admin/locations/\(location)", "/admin/plans", "/admin/plans/\(plan)", "/admin/devices",
                         "/admin/devices/\(reader.id)"] {
                pages.append((path, try await browser.send(.GET, path)))
            }
            let anonymous = try await api.app.testing()
            for path in ["/admin/sign-in", "/kiosk", String(link.dropFirst(api.app.settings.baseURL.count))] {
                pages.append((path, try await anonymous.sendRequest(.GET, path)))
            }

            var assets = Set<String>()
            for (path, page) in pages {
                let html = page.body.string
                #expect(page.status == .ok, "\(path)")
                let policy = page.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'") && !policy.contains("unsafe-inline"), "\(path): \(policy)")
                #expect(!html.contains("<img src=x") && !html.contains("' onmouseover='") && !html.contains("\" onmouseover"), "\(path)")
                #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") || path == "/admin/sign-in" || path == "/kiosk",
                        "\(path): the name is shown, escaped")
                #expect(html.firstRange(of: /<script(?![^>]*\ssrc=)/) == nil, "\(path): an inline script")
                #expect(!html.contains("<style") && html.firstRange(of: /\sstyle=/) == nil, "\(path): an inline style")
                // Attribute names only: every value is quoted, and a quote in a value escaped.
                let unquoted = html.replacing(/"[^"]*"/, with: "\"\"")
                #expect(unquoted.firstRange(of: /<[^<>]*\son[a-z]+=/) == nil, "\(path): an inline event handler")
                for match in html.matches(of: /(?:src|href)="(\/assets\/[^"]+)"/) { assets.insert(String(match.1)) }
            }
            #expect(assets.count >= 7, "\(assets)")  // base and admin CSS, admin script, kiosk and member CSS and scripts

            for url in assets {
                let asset = try await anonymous.sendRequest(.GET, url.replacingOccurrences(of: "&amp;", with: "&"))
                #expect(asset.status == .ok, "\(url)")
                #expect(asset.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable", "\(url)")
                #expect(asset.headers.contentType?.subType == (url.contains(".css") ? "css" : "javascript"), "\(url)")
                let etag = try #require(asset.headers.first(name: .eTag))
                let again = try await anonymous.sendRequest(.GET, url, headers: ["If-None-Match": etag])
                #expect(again.status == .notModified)
            }
            let unversioned = try await anonymous.sendRequest(.GET, "/assets/kiosk.js")
            #expect(unversioned.headers.first(name: .cacheControl) == "public, max-age=0, must-revalidate")
            let unknown = try await anonymous.sendRequest(.GET, "/assets/..%2FPackage.swift")
            #expect(unknown.status == .notFound)
            #expect(unknown.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        }
    }

    /// The kiosk's refusals come from the server's one table of wordings.
    @Test func theKioskGetsItsWordsFromTheServersTable() async throws {
        try await withFootfall { api in
            let page = try await api.app.testing().sendRequest(.GET, "/kiosk").body.string
            let attribute = try #require(page.firstMatch(of: /data-reasons="([^"]*)"/)).1
            let json = String(attribute).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
            let table = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
            #expect(table.count == ReasonCode.allCases.count)
            #expect(table["location_full"] == ReasonWording.words(for: .locationFull).customer)
            #expect(table["pin_locked"]?.contains("PIN entry is paused") == true)
        }
    }
}
