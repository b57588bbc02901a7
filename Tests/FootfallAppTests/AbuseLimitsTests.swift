@testable import FootfallApp
import Fluent
import FootfallCore
import Foundation
import RADIUS
import SQLKit
import Testing
import TestSupport
import VaporTesting

/// The attacks of the security review, each as an attacker would run it, and what must hold.
@Suite("Abuse limits: hostile numbers, guessing, key scope, RADIUS floods, sign-in, CSV", .timeLimit(.minutes(6)))
struct AbuseLimitsTests {
    // MARK: 1. Numbers from outside never trap

    @Test func hostileCursorsAndNumbersAreRefusedAndTheServerLives() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let customer = try await api.customer(planId: try await api.plan())
            let farOffset = Data("o:9223372036854775807".utf8).base64EncodedString()
            for path in ["/api/v1/customers?cursor=\(farOffset)", "/api/v1/check-ins?cursor=\(farOffset)",
                         "/api/v1/customers/\(customer)/passes?cursor=\(farOffset)", "/api/v1/customers?cursor=%FF%FE",
                         "/api/v1/check-ins?limit=%FF", "/api/v1/check-ins?from=%FF"] {
                let reply = try await api.get(path)
                #expect(reply.status == .badRequest, "\(path): \(reply.body)")
                #expect(reply.code == "invalid_request", "\(path)")
            }
            let refusals: [(String, [String: any Sendable])] = [
                ("/api/v1/customers/\(customer)/passes", ["kind": "time", "minutes": Int.max]),
                ("/api/v1/customers/\(customer)/passes", ["kind": "time", "minutes": 527_041]),
                ("/api/v1/locations", ["name": "Huge", "timeZone": "Europe/Berlin", "capacity": Int.max]),
                ("/api/v1/plans", ["name": "Forever", "limits": ["period": "month", "hours": 1e300] as [String: any Sendable]]),
                ("/api/v1/plans", ["name": "Many days", "limits": ["period": "month", "days": Int.max] as [String: any Sendable]]),
                ("/api/v1/check-ins", ["customerId": customer, "locationId": location, "at": "0001-01-01T00:00:00Z"]),
                ("/api/v1/check-ins", ["customerId": customer, "locationId": location, "at": "99999-01-01T00:00:00Z"]),
            ]
            for (path, body) in refusals {
                let reply = try await api.post(path, body)
                #expect(reply.status == .badRequest, "\(path) \(body): \(reply.body)")
            }
            // A form body's bare number is not a time (the form decoder would take it as seconds).
            var formHeaders = adminHeaders
            formHeaders.contentType = .urlEncodedForm
            for at in ["-1e300", "inf", "nan", "1e300"] {
                let reply = try await api.request(.POST, "/api/v1/check-ins", headers: formHeaders,
                                                  rawBody: "customerId=\(customer)&locationId=\(location)&at=\(at)")
                #expect(reply.status == .badRequest, "at=\(at): \(reply.body)")
            }
            // A member code dated before 1970 (its TOTP step would be negative).
            let kiosk = try await api.device(at: location, kind: "kiosk")
            let code = "FFM-\(customer.replacingOccurrences(of: "-", with: "").lowercased())-000000"
            #expect(try await kiosk.send("member_code", code, at: "1969-12-31T00:00:00Z").status == .badRequest)
            #expect(try await api.request(.GET, "/healthz", headers: [:]).status == .ok)
            #expect(try await api.get("/api/v1/check-ins").items.isEmpty)
        }
    }

    @Test func saturatingConversionNeverTraps() {
        #expect(Int(saturating: 1e300) == .max)
        #expect(Int(saturating: -.infinity) == .min)
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: 59.9) == 59)
        #expect(TimeStepCode(key: Data("k".utf8)).code(counter: -1).count == 6)
    }

    // MARK: 2. and 3. Guessing limits on the server's clock

    @Test func backDatedWrongPinsStillLockTheKiosk() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            _ = try await api.member(card: "AABBCCDD", pin: "4821")
            var reasons: [String?] = []
            for index in 1...8 {
                // Each claims to be 700 s older than the one before: by the device's times, no
                // five fall within ten minutes.
                let claimed = RFC3339.format(api.clock.now() - Double(700 * index))
                reasons.append(try await kiosk.send("pin", String(1000 + index), at: claimed).string("reason"))
            }
            #expect(reasons == Array(repeating: "unknown_credential", count: 5) + Array(repeating: "pin_locked", count: 3))
            let right = try await kiosk.send("pin", "4821")
            #expect(right.result == "refused")
            #expect(right.string("reason") == "pin_locked")
            #expect(try await api.get("/api/v1/check-ins").items.isEmpty)
        }
    }

    @Test func thirtyWrongPinsSentAtOnceGetAtMostFiveJudged() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            _ = try await api.member(card: "AABBCCDD", pin: "4821")
            let reasons = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<30 { group.addTask { try await kiosk.send("pin", String(5000 + index)).string("reason") } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(reasons.filter { $0 == "unknown_credential" }.count == 5, "\(reasons)")
            #expect(reasons.filter { $0 == "pin_locked" }.count == 25, "\(reasons)")
            // A retried wrong PIN (same event id) is answered as before and counts once.
            let other = try await api.device(at: location, kind: "kiosk")
            let first = try await other.send("pin", "0000", eventId: "retry-me")
            for _ in 0..<6 { #expect(try await other.send("pin", "0000", eventId: "retry-me").body == first.body) }
            #expect(try await other.send("pin", "4821").result == "checked_in")
        }
    }

    @Test func wrongMemberCodesLockCodeEntryAtThatKiosk() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk", direction: "in")
            let customer = try await api.member(card: "AABBCCDD")
            let stored = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db))
            let totp = api.app.ledger.memberCodes.totp(memberSecret: stored.memberSecret)
            let right = totp.code(at: api.clock.now())
            func payload(_ code: String) -> String { MemberCode(customerId: stored.id!, code: code).payload }
            var reasons: [String?] = []
            for index in 1...25 {
                let guess = String(format: "%06d", (Int(right)! + index) % 1_000_000)
                reasons.append(try await kiosk.send("member_code", payload(guess)).string("reason"))
            }
            #expect(reasons == Array(repeating: "unknown_credential", count: 5) + Array(repeating: "code_locked", count: 20))
            #expect(try await kiosk.send("member_code", payload(right)).string("reason") == "code_locked")
            // Cards still work at this kiosk, and codes at another.
            #expect(try await kiosk.send("card", "AABBCCDD").result == "checked_in")
            let other = try await api.device(at: location, kind: "kiosk", direction: "in")
            #expect(try await other.send("member_code", payload(right)).result == "already_in")
            // Ten minutes after the fifth, the kiosk judges codes again.
            api.clock.advance(by: 600)
            let later = totp.code(at: api.clock.now())
            #expect(try await kiosk.send("member_code", payload(later)).result == "already_in")
        }
    }

    // MARK: 4. A device's secret works only for its kind

    @Test func doorAndWifiSecretsAreNoDeviceEventKeys() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let door = try await api.post("/api/v1/devices", ["name": "Front door", "locationId": location, "kind": "door"])
            let kiosk = try await api.device(at: location, kind: "kiosk")
            _ = try await api.member(card: "AABBCCDD", pin: "4821")
            for (id, key) in [(nas.id, nas.secret), (door.id, try #require(door.string("key")))] {
                let reply = try await api.request(.POST, "/api/v1/devices/\(id)/events",
                                                  ["eventId": UUID().uuidString, "type": "pin", "value": "4821"],
                                                  headers: ["Authorization": "Bearer \(key)"])
                #expect(reply.status == .forbidden, "\(reply.body)")
                #expect(reply.code == "forbidden")
            }
            // A kiosk's key on a door's webhook route.
            let doorRoute = try await api.request(.POST, "/api/v1/integrations/doors/\(kiosk.id)", headers: ["Authorization": "Bearer \(kiosk.key)"],
                                                  rawBody: "{}")
            #expect(doorRoute.status == .forbidden, "\(doorRoute.body)")
            #expect(try await api.get("/api/v1/check-ins").items.isEmpty)
            #expect(try await kiosk.send("pin", "4821").result == "checked_in")
        }
    }

    // MARK: 5. RADIUS: Message-Authenticator required, floods bounded

    @Test func accessRequestsWithoutMessageAuthenticatorGetNoAnswerAndNoRows() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let socket = try UDPTestSocket()
                defer { socket.close() }
                // Without the shared secret, as from a plain socket: no Message-Authenticator.
                let guessedSecret = RADIUSSecret("not-the-secret")
                for identifier in 0..<40 {
                    let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
                    let request = Packet(code: .accessRequest, identifier: UInt8(identifier), authenticator: authenticator, attributes: [
                        Attribute(.userName, string: "guess-\(identifier)"), Attribute(.nasIdentifier, string: nas.identifier),
                        Attribute(.userPassword, guessedSecret.hidePassword(Array("password".utf8), requestAuthenticator: authenticator)),
                    ])
                    socket.send(request.encoded(), port: server.authenticationPort)
                }
                #expect(try await socket.receiveAll(quiet: 1).isEmpty)
                // radclient without one is dropped too; with one (as NASes now send) it is served.
                let bare = try await radclient(["User-Name = \"\(token.username)\"", "User-Password = \"\(token.password)\"",
                                                "NAS-Identifier = \"\(nas.identifier)\""], port: server.authenticationPort, secret: nas.secret,
                                               timeout: 1, tries: 1, messageAuthenticator: false)
                #expect(!bare.answered, "\(bare.output)")
                let signed = try await nas.login(token, on: server)
                #expect(signed.received("Access-Accept"), "\(signed.output)")
            }
            #expect(try await api.failedCheckIns.isEmpty)
        }
    }

    @Test func anOldNASMarkedSoIsServedWithoutMessageAuthenticator() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let created = try await api.post("/api/v1/devices", ["name": "Old AP", "locationId": location, "kind": "wifi",
                                                                 "nasIdentifier": "old-ap", "requireMessageAuthenticator": false])
            #expect(created["requireMessageAuthenticator"] as? Bool == false, "\(created.body)")
            let secret = try #require(created.string("key"))
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let run = try await radclient(["User-Name = \"\(token.username)\"", "User-Password = \"\(token.password)\"", "NAS-Identifier = \"old-ap\""],
                                              port: server.authenticationPort, secret: secret, messageAuthenticator: false)
                #expect(run.received("Access-Accept"), "\(run.output)")
            }
            // Switched back on by PATCH, the same request is dropped.
            let patched = try await api.patch("/api/v1/devices/\(created.id)", ["requireMessageAuthenticator": true])
            #expect(patched["requireMessageAuthenticator"] as? Bool == true, "\(patched.body)")
            #expect(try await api.patch("/api/v1/devices/\(created.id)", ["nasIp": "127.0.0.1"])["requireMessageAuthenticator"] as? Bool == true)
            let kiosk = try await api.post("/api/v1/devices", ["name": "K", "locationId": location, "kind": "kiosk", "requireMessageAuthenticator": false])
            #expect(kiosk.status == .badRequest, "only Wi-Fi devices take it")
        }
    }

    @Test func unknownLoginsFromOneNASAreAnsweredButStoredAtMostTwentyAMinute() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            try await api.withRADIUS { server in
                let secret = RADIUSSecret(nas.secret)
                let socket = try UDPTestSocket()
                defer { socket.close() }
                var rejects = 0
                for identifier in 0..<30 {
                    let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
                    let request = secret.sign(Packet(code: .accessRequest, identifier: UInt8(identifier), authenticator: authenticator, attributes: [
                        Attribute(.userName, string: "nobody-\(identifier)"), Attribute(.nasIdentifier, string: nas.identifier),
                        Attribute(.userPassword, secret.hidePassword(Array("wrong".utf8), requestAuthenticator: authenticator)),
                    ]))
                    if let answer = try await socket.exchange(request, port: server.authenticationPort),
                       try Packet(parsing: answer).code == .accessReject { rejects += 1 }
                }
                #expect(rejects == 30)
            }
            #expect(try await api.failedCheckIns.count == 20)
            // The next minute stores again.
            api.clock.advance(by: 61)
            try await api.withRADIUS { server in
                let run = try await radclient(["User-Name = \"nobody-more\"", "User-Password = \"x\"", "NAS-Identifier = \"\(nas.identifier)\""],
                                              port: server.authenticationPort, secret: nas.secret)
                #expect(run.received("Access-Reject"), "\(run.output)")
            }
            #expect(try await api.failedCheckIns.count == 21)
        }
    }

    @Test func aFullQueueDropsDatagramsInsteadOfQueueingThem() async throws {
        try await withFootfall { api in
            let service = RADIUSService(ledger: api.app.ledger, database: api.app.db, clock: api.clock, logger: api.app.logger)
            for _ in 0..<RADIUSService.maximumInFlight { #expect(service.admit()) }
            #expect(!service.admit())
            #expect(service.inFlight == RADIUSService.maximumInFlight)
        }
    }

    // MARK: 6. Admin sign-in is throttled

    @Test func twentyWrongPasswordsEndIn429WithRetryAfter() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: "ops@example.com", password: "correct horse battery", name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            var statuses: [HTTPStatus] = []
            for _ in 0..<20 { statuses.append(try await browser.signIn("ops@example.com", "wrong password!").status) }
            #expect(Array(statuses.prefix(5)) == Array(repeating: .unauthorized, count: 5))
            #expect(Array(statuses.dropFirst(5)) == Array(repeating: .tooManyRequests, count: 15))
            // The right password waits too: the throttle does not tell which password was right.
            let refused = try await browser.signIn("ops@example.com", "correct horse battery")
            #expect(refused.status == .tooManyRequests)
            let wait = try #require(refused.headers.first(name: .retryAfter).flatMap(Int.init))
            #expect((1...900).contains(wait))
            #expect(refused.body.string.contains("Too many wrong passwords"))
            api.clock.advance(by: TimeInterval(wait))
            #expect(try await browser.signIn("ops@example.com", "correct horse battery").status == .seeOther)
        }
    }

    @Test func oneAddressGetsMoreTriesThanOneEmailButNotUnlimited() {
        let throttle = SignInThrottle()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<SignInThrottle.perAddress {
            #expect(throttle.attempt(email: "user\(index)@example.com", address: "192.0.2.7", now: now) == nil)
        }
        #expect(throttle.attempt(email: "someone-new@example.com", address: "192.0.2.7", now: now) == 900)
        #expect(throttle.attempt(email: "someone-new@example.com", address: "198.51.100.1", now: now) == nil)
        #expect(throttle.attempt(email: "another@example.com", address: "192.0.2.7", now: now + 900) == nil)
        // An IPv6 client counts by its /64: another address of the same block waits too.
        for index in 0..<SignInThrottle.perAddress {
            #expect(throttle.attempt(email: "v6-\(index)@example.com", address: "2001:db8:1:2::\(index + 1)", now: now) == nil)
        }
        #expect(throttle.attempt(email: "v6-new@example.com", address: "2001:db8:1:2:ffff::1", now: now) == 900)
        #expect(throttle.attempt(email: "v6-new@example.com", address: "2001:db8:1:3::1", now: now) == nil)
    }

    @Test func signInsSentTogetherAreCountedBeforeTheirPasswordsAreChecked() async throws {
        try await withFootfall { api in
            try await AdminUsers.create(email: "ops@example.com", password: "correct horse battery", name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            let form = try await browser.send(.GET, "/admin/sign-in")
            let csrf = try #require(PanelBrowser.csrf(in: form.body.string))
            let cookie = browser.cookies.map { "\($0)=\($1)" }.joined(separator: "; ")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        var headers: HTTPHeaders = ["Cookie": cookie]
                        headers.contentType = .urlEncodedForm
                        return try await api.app.testing().sendRequest(.POST, "/admin/sign-in", headers: headers,
                                                                       body: ByteBuffer(string: "email=ops%40example.com&password=guess&_csrf=\(csrf)")).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 25)
        }
    }

    // MARK: 7. CSV cells never start a formula

    @Test func formulaNamesReachTheCSVAsText() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan()
            let names = [#"=HYPERLINK("http://x","y")"#, "+1+2", "-2+3", "@SUM(A1)"]
            for name in names {
                let customer = try await api.customer(planId: plan, ["name": name])
                #expect(try await api.checkIn(customer, at: location).status == .created)
            }
            api.clock.advance(by: 3600)
            let csv = try await api.request(.GET, "/api/v1/reports/presence?groupBy=customer&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z",
                                            headers: adminHeaders.adding("Accept", "text/csv")).body
            #expect(csv.contains(#""'=HYPERLINK(""http://x"",""y"")""#), "\(csv)")
            for name in ["'+1+2", "'-2+3", "'@SUM(A1)"] { #expect(csv.contains("," + name + ","), "\(name) in \(csv)") }
            let cells = csv.split(separator: "\r\n").flatMap { $0.split(separator: ",") }
            #expect(!cells.contains { ["=", "+", "-", "@", "\t"].contains($0.first.map(String.init) ?? "") }, "\(csv)")
            // Names are trimmed when stored; a cell starting with a tab or CR is still guarded.
            #expect(CSV.text("\tTabbed") == "'\tTabbed")
            #expect(CSV.text("\r=1") == "\"'\r=1\"")
            #expect(CSV.text("plain name") == "plain name")
        }
    }

    // MARK: 8. The smaller items

    @Test func theReportsPageShowsAtMost367Days() async throws {
        try await withFootfall { api in
            var browser = try await PanelBrowser.signedIn(to: api)
            let page = try await browser.send(.GET, "/admin/reports?from=2000-01-01&to=2026-11-26")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("value=\"2025-11-25\""), "the first day shown is 366 days before the last")
        }
    }

    @Test func memberLinksAreUncachedAndCanBeReplaced() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk", direction: "in")
            let customer = try await api.member(card: "AABBCCDD")
            let old = try #require(try await api.get("/api/v1/customers/\(customer)/member-link").string("url"))
            let oldPath = String(old.dropFirst(api.app.settings.baseURL.count))
            let page = try await api.app.testing().sendRequest(.GET, oldPath)
            #expect(page.status == .ok)
            #expect(page.headers.first(name: .cacheControl)?.contains("no-store") == true)
            let stored = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db))
            let oldCode = MemberCode(customerId: stored.id!, code: api.app.ledger.memberCodes.totp(memberSecret: stored.memberSecret).code(at: api.clock.now()))

            let replaced = try await api.post("/api/v1/customers/\(customer)/member-link")
            #expect(replaced.status == .created)
            let new = try #require(replaced.string("url"))
            #expect(new != old)
            #expect(try await api.app.testing().sendRequest(.GET, oldPath).status == .notFound)
            #expect(try await api.app.testing().sendRequest(.GET, String(new.dropFirst(api.app.settings.baseURL.count))).status == .ok)
            #expect(try await kiosk.send("member_code", oldCode.payload).string("reason") == "unknown_credential")
            let renewed = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db))
            let newCode = MemberCode(customerId: renewed.id!, code: api.app.ledger.memberCodes.totp(memberSecret: renewed.memberSecret).code(at: api.clock.now()))
            #expect(try await kiosk.send("member_code", newCode.payload).result == "checked_in")
        }
    }

    @Test func theEventsStreamEndsWithItsSession() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let customer = try await api.member(card: "AABBCCDD")
            var browser = try await PanelBrowser.signedIn(to: api)
            let session = try #require(browser.cookies[AdminSessions.cookieName])
            try await api.withServer { port in
                let stream = try await EventStreamReader(port: port, client: api.app.http.client.shared,
                                                         headers: [("Cookie", "\(AdminSessions.cookieName)=\(session)")])
                defer { stream.close() }
                for _ in 0..<1000 where api.app.ledger.live.listeners == 0 { try await Task.sleep(for: .milliseconds(20)) }
                _ = try await api.checkIn(customer, at: location)
                #expect(try await stream.next()?.name == "check_in")
                let home = try await browser.send(.GET, "/admin")
                let csrf = try #require(PanelBrowser.csrf(in: home.body.string))
                #expect(try await browser.send(.POST, "/admin/sign-out", form: ["_csrf": csrf]).status == .seeOther)
                try await Task.sleep(for: .milliseconds(1100))
                _ = try await api.post("/api/v1/check-ins/\(try await api.visits(of: customer)[0]["id"] as! String)/check-out")
                for _ in 0..<250 where stream.ending.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
                #expect(stream.ending.withLockedValue { $0 } == "the stream ended")
                #expect(try await stream.next(within: 0.1) == nil, "nothing told after sign-out")
            }
        }
    }

    @Test func aMalformedDatabaseURLIsNotEchoedWithItsPassword() async throws {
        #expect(throws: SettingsError.self) { try Settings.databaseLocation(fromURL: "mysql://ops:hunter2@db.example/footfall") }
        do {
            _ = try Settings.databaseLocation(fromURL: "mysql://ops:hunter2@db.example/footfall")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("mysql://***@db.example/footfall"))
        }
        let app = try await Application.make(.testing)
        var settings = Settings()
        settings.database = .postgres(url: "postgres://ops:hunter2@db.example:not-a-port/footfall")
        settings.secretKey = testSecretKey
        do {
            try await configure(app, settings)
            Issue.record("a malformed URL was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"), "\(error)")
        }
        try await app.asyncShutdown()
    }

    @Test func nextAfterSignInIsAPlainAdminPath() {
        #expect(AdminPagesController.safeNext("/admin/customers?q=ada") == "/admin/customers?q=ada")
        for hostile in ["/admin\r\nSet-Cookie: x=y", "/admin/\n", "//evil.example/admin", "/admin//evil", "https://evil.example/admin",
                        "/administrator", "/admin\\evil", "/admin/\u{0}", "/admin/<script>"] {
            #expect(AdminPagesController.safeNext(hostile) == "/admin", "\(hostile.debugDescription)")
        }
    }

    // MARK: The PIN key lives outside the database

    @Test func aCopyOfTheDatabaseAloneGivesNoPin() async throws {
        try await withFootfall { api in
            let customer = try await api.member(card: "AABBCCDD", pin: "4821")
            let stored = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db)?.pinHash)
            let databaseKey = try await ServerSecretModel.value(ServerSecretModel.pinKey, on: api.app.db)
            // What a copy of the database could work out for every 4-digit PIN: never the stored hash.
            #expect(SecretToken.keyedDigest("4821", key: databaseKey) != stored)
            #expect(api.app.ledger.pins.digest("4821") == stored)
            if case .sqlite(let path) = api.app.settings.database {
                let permissions = try FileManager.default.attributesOfItem(atPath: path + ".key")[.posixPermissions] as? NSNumber
                #expect(permissions?.intValue == 0o600)
            }
        }
    }

    @Test func pinHashesFromBeforeTheServerKeyAreMovedOverAndAnotherKeyIsRefused() async throws {
        let database = TestDatabase.fresh()
        var customer = ""
        try await withFootfall(database: database, keepDatabase: true, settings: { $0.secretKey = testSecretKey }) { api in
            customer = try await api.member(card: "AABBCCDD", pin: "4821")
            // As an older server stored it: under the database's key only, and no server key seen yet.
            let databaseKey = try await ServerSecretModel.value(ServerSecretModel.pinKey, on: api.app.db)
            let model = try #require(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db))
            model.pinHash = SecretToken.keyedDigest("4821", key: databaseKey)
            try await model.update(on: api.app.db)
            try await ServerSecretModel.find(ServerSecretModel.serverKeyCheck, on: api.app.db)?.delete(on: api.app.db)
        }
        try await withFootfall(database: database, keepDatabase: true, settings: { $0.secretKey = testSecretKey }) { api in
            let location = try await api.location()
            let kiosk = try await api.device(at: location, kind: "kiosk")
            #expect(try await kiosk.send("pin", "4821").result == "checked_in")
            #expect(try await CustomerModel.find(UUID(uuidString: customer), on: api.app.db)?.pinHash == api.app.ledger.pins.digest("4821"))
        }
        await #expect(throws: ServerKeyMismatch.self) {
            try await withFootfall(database: database, settings: { $0.secretKey = "another-key-0123456789abcdef-0123456789" }) { _ in }
        }
    }
}

extension HTTPHeaders {
    func adding(_ name: String, _ value: String) -> HTTPHeaders {
        var headers = self
        headers.add(name: name, value: value)
        return headers
    }
}
