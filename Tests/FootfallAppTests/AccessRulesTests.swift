@testable import FootfallApp
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// Every log line the test process's servers write once this is installed, kept in memory (and
/// still printed to standard error when `FOOTFALL_TEST_LOG_LEVEL` asks for it). Loggers made
/// while `level` is `.trace` keep everything, down to Fluent's and SQLKit's query logs. A value
/// type, as log handlers must be: each logger copy changes its own metadata.
struct LogCapture: LogHandler {
    static let lines = NIOLockedValueBox<[String]>([])
    static let level = NIOLockedValueBox<Logger.Level>(.info)
    private static let installed = NIOLockedValueBox(false)

    static func install() {
        let first = installed.withLockedValue { installed in
            defer { installed = true }
            return !installed
        }
        if first { LoggingSystem.bootstrap { LogCapture(label: $0) } }
    }

    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    private var printed: StreamLogHandler?

    init(label: String) {
        self.label = label
        logLevel = Self.level.withLockedValue { $0 }
        // Errors are shown unless another level is asked for: a passing run logs none, and a test
        // that got a 500 then shows why (`ProblemMiddleware` logs the cause of each).
        printed = StreamLogHandler.standardError(label: label)
        printed?.logLevel = ProcessInfo.processInfo.environment["FOOTFALL_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        Self.lines.withLockedValue { $0.append("\(event.level) \(label) \(event.message) \(all) \(event.error.map { String(reflecting: $0) } ?? "")") }
        if let printed, event.level >= printed.logLevel { printed.log(event: event) }
    }
}

@Suite("Access rules: who may call what; no secret in any answer or log line")
struct AccessRulesTests {
    @Test func everyEndpointAnswersEachKindOfCallerAsTheAPISays() async throws {
        LogCapture.install()
        LogCapture.level.withLockedValue { $0 = .trace }
        defer { LogCapture.level.withLockedValue { $0 = .info } }
        try await withFootfall { api in
            api.app.logger.logLevel = .trace
            // Something of everything, so that every path has a real id to name.
            let location = try await api.location()
            let plan = try await api.plan()
            let customer = try await api.customer(planId: plan, ["name": "Ada Lovelace", "email": "ada@example.com"])
            let pin = "48213"
            #expect(try await api.request(.PUT, "/api/v1/customers/\(customer)/pin", ["pin": pin]).status == .noContent)
            let card = try await api.post("/api/v1/customers/\(customer)/cards", ["number": "01026F6C3A"]).id
            let token = try await api.post("/api/v1/customers/\(customer)/access-tokens", ["chap": true])
            let tokenPassword = try #require(token.string("password"))
            let reader = try await api.device(at: location)
            let otherReader = try await api.device(at: location)
            let door = try await api.device(at: location, kind: "door")
            let wifi = try await api.post("/api/v1/devices", ["name": "AP", "locationId": location, "kind": "wifi", "nasIdentifier": "ap-1"])
            let wifiSecret = try #require(wifi.string("key"))
            let visit = try await api.checkIn(customer, at: location).id
            let webhook = try await api.post("/api/v1/webhooks", ["url": "http://127.0.0.1:9/hook", "events": ["check_in"]])
            let webhookSecret = try #require(webhook.string("secret"))
            #expect(try await reader.send("pin", "0000").result == "refused")
            try await AdminUsers.create(email: "ops@example.com", password: "admin user password", name: nil, in: api.app)
            var browser = PanelBrowser(app: api.app)
            _ = try await browser.signIn("ops@example.com", "a wrong password")
            _ = try await browser.signIn("ops@example.com", "admin user password")
            let session = try #require(browser.cookies[AdminSessions.cookieName])
            let secrets = [pin, tokenPassword, adminToken, reader.key, otherReader.key, door.key, wifiSecret, webhookSecret, "admin user password",
                           "a wrong password", session]

            let ids = ["locationId": location, "planId": plan, "customerId": customer, "cardId": card, "deviceId": reader.id,
                       "checkInId": visit, "webhookId": webhook.id]
            var answers: [String] = []
            var checked = 0
            for route in api.app.routes.all where route.path.first == .constant("api") {
                let path = "/" + route.path.map { component -> String in
                    switch component {
                    case .constant(let text): text
                    // Removals name nothing that exists: the checks after them still need it.
                    case .parameter(let name): route.method == .DELETE ? UUID().uuidString : ids[name] ?? UUID().uuidString
                    default: "x"
                    }
                }.joined(separator: "/")
                let name = "\(route.method) \(path)"
                let query = path.hasPrefix("/api/v1/reports/") || path == "/api/v1/charges" ? "?from=2026-11-01T00:00:00Z&to=2026-11-27T00:00:00Z&locationId=\(location)" : ""
                let kind: Kind = path.contains("/integrations/") ? .webhook : path.hasSuffix("/events") && path.contains("/devices/") ? .device : .admin
                // The stream never ends; its headers are checked with curl in EventStreamTests.
                let stream = path.hasSuffix("/events/stream")
                func call(_ authorization: String?) async throws -> Reply {
                    var headers: HTTPHeaders = [:]
                    if let authorization { headers.add(name: .authorization, value: authorization) }
                    let reply = try await api.request(route.method, path + query, route.method == .GET || route.method == .DELETE ? nil : [:],
                                                      headers: headers)
                    answers.append(reply.body)
                    #expect(reply.status.code < 500, "\(name): \(reply.status)")
                    return reply
                }

                let anonymous = try await call(nil)
                #expect(anonymous.status == .unauthorized, "\(name) without credentials")
                #expect(anonymous.code == (kind == .webhook ? "invalid_signature" : "unauthorized"), "\(name)")
                #expect(try await call("Bearer not-a-token").status == .unauthorized, "\(name) with a wrong token")
                switch kind {
                case .admin:
                    #expect(try await call("Bearer \(reader.key)").status == .forbidden, "\(name) with a device key")
                    if !stream {
                        let allowed = try await call("Bearer \(adminToken)")
                        #expect(allowed.status != .unauthorized && allowed.status != .forbidden, "\(name) with the admin token")
                        if route.method == .GET { #expect((200..<300).contains(allowed.status.code), "\(name) with the admin token: \(allowed.status)") }
                    }
                case .device:
                    #expect(try await call("Bearer \(otherReader.key)").status == .forbidden, "\(name) with another device's key")
                    #expect(try await call("Bearer \(adminToken)").status == .forbidden, "\(name) with the admin token")
                    let own = try await call("Bearer \(reader.key)")
                    #expect(own.status == .badRequest && own.code == "invalid_request", "\(name) with its own key and no event")
                case .webhook:
                    // Webhooks are signed, not bearer-authenticated: no token opens them.
                    #expect(try await call("Bearer \(adminToken)").status == .unauthorized, "\(name) with the admin token")
                    #expect(try await call("Bearer \(door.key)").status == .unauthorized, "\(name) with the door's key as a token")
                    // A reader's key is a valid credential, not one for doors.
                    #expect(try await call("Bearer \(reader.key)").status == .forbidden, "\(name) with a reader's key")
                }
                checked += 1
            }
            #expect(checked >= 35)

            // Reading everything back shows no secret; nor does any log line of the whole run.
            for path in ["/api/v1/devices", "/api/v1/devices/\(wifi.id)", "/api/v1/customers/\(customer)", "/api/v1/failed-check-ins",
                         "/api/v1/customers/\(customer)/usage", "/openapi.json"] {
                answers.append(try await api.get(path).body)
            }
            let logs = LogCapture.lines.withLockedValue { $0 }
            #expect(logs.contains { $0.contains("admin sign-in failed") }, "the capture works")
            for secret in secrets {
                #expect(!answers.contains { $0.contains(secret) }, "an answer shows a secret")
                #expect(!logs.contains { $0.contains(secret) }, "a log line shows a secret: \(logs.filter { $0.contains(secret) }.prefix(2))")
            }
        }
    }

    private enum Kind { case admin, device, webhook }
}
