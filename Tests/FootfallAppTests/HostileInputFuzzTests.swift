@testable import FootfallApp
import Foundation
import Testing
import TestSupport
import VaporTesting

/// Extreme numbers and strings in every query parameter and body field that `/openapi.json`
/// documents, chosen and ordered by a seeded generator: never a 5xx, and the server still
/// answers `/healthz` afterwards. A failure names the seed; `FOOTFALL_FUZZ_SEED=<seed>` replays it.
@Suite("Hostile input at every documented parameter", .timeLimit(.minutes(6)))
struct HostileInputFuzzTests {
    /// Values no client should send: the edges of every numeric type, non-numbers, dates out of
    /// range, strings that are not what they claim, wrong JSON types.
    static let hostile: [any Sendable] = [
        Int.max, Int.min, -1, 0, 4_294_967_296, 1e300, -1e300, 1.5, 9.223372036854776e18,
        "NaN", "-Infinity", "", String(repeating: "9", count: 400), "\u{0}", "%FF%FE", "0001-01-01T00:00:00Z",
        "99999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2026-13-45T25:61:61Z", "bzo5MjIzMzcyMDM2ODU0Nzc1ODA3",
        "-0", "1e400", "0x7fffffff", "FFM-00000000000000000000000000000000-000000", true, [Int](), [String: Int](),
    ]

    /// Query forms of the same values.
    static let hostileQueries = ["9223372036854775807", "-9223372036854775808", "1e300", "-1", "0", "NaN", "%FF%FE", "%00",
                                 "0001-01-01T00:00:00Z", "99999-12-31T23:59:59Z", "bzo5MjIzMzcyMDM2ODU0Nzc1ODA3", "", "%E2%80%AE",
                                 String(repeating: "A", count: 2000)]

    @Test func everyParameterTakesHostileValuesWithout5xx() async throws {
        var generator = SeededGenerator.fromEnvironment()
        let seed = generator.seed
        try await withFootfall { api in
            let location = try await api.location(["capacity": 5])
            let customer = try await api.customer(planId: try await api.plan())
            let kiosk = try await api.device(at: location, kind: "kiosk")
            let ids = ["locationId": location, "customerId": customer, "deviceId": kiosk.id]
            let document = try #require(try JSONSerialization.jsonObject(with: Data(try await api.get("/openapi.json").body.utf8)) as? [String: Any])
            let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var sent = 0
            for (template, operations) in paths.sorted(by: { $0.key < $1.key }) where template != "/api/v1/events/stream" {
                for (method, operation) in operations.sorted(by: { $0.key < $1.key }) {
                    guard let operation = operation as? [String: Any] else { continue }
                    let httpMethod = HTTPMethod(rawValue: method.uppercased())
                    let path = Self.filled(template, ids: ids)
                    let headers: HTTPHeaders = template.hasSuffix("/events") ? ["Authorization": "Bearer \(kiosk.key)"] : adminHeaders
                    let parameters = (operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "query" }
                    for parameter in parameters {
                        guard let name = parameter["name"] as? String else { continue }
                        for value in Self.hostileQueries.shuffled(using: &generator).prefix(6) {
                            let reply = try await api.request(httpMethod, "\(path)?\(name)=\(value)", headers: headers)
                            sent += 1
                            #expect(reply.status.code < 500, "seed \(seed): \(method) \(path)?\(name)=\(value.prefix(40)) → \(reply.status) \(reply.body.prefix(200))")
                        }
                    }
                    guard let body = Self.bodySchema(operation, schemas), let properties = body["properties"] as? [String: Any] else { continue }
                    let base = Self.plausible(body, schemas, ids: ids)
                    for field in properties.keys.sorted() {
                        for value in Self.hostile.shuffled(using: &generator).prefix(8) {
                            var fields = base
                            fields[field] = value
                            let reply = try await api.request(httpMethod, path, fields, headers: headers)
                            sent += 1
                            #expect(reply.status.code < 500, "seed \(seed): \(method) \(path) \(field)=\(String(describing: value).prefix(40)) → \(reply.status) \(reply.body.prefix(200))")
                        }
                    }
                }
            }
            #expect(sent > 500, "seed \(seed): only \(sent) requests; the document's operations were not all reached")
            #expect(try await api.request(.GET, "/healthz", headers: [:]).status == .ok, "seed \(seed)")
        }
    }

    private static func filled(_ template: String, ids: [String: String]) -> String {
        var path = template
        while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            let name = String(path[path.index(after: open)..<close])
            path.replaceSubrange(open...close, with: ids[name] ?? UUID().uuidString)
        }
        return path
    }

    private static func resolve(_ schema: [String: Any], _ schemas: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last,
              let resolved = schemas[String(name)] as? [String: Any] else { return schema }
        return resolved
    }

    private static func bodySchema(_ operation: [String: Any], _ schemas: [String: Any]) -> [String: Any]? {
        guard let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any],
              let json = content["application/json"] as? [String: Any], let schema = json["schema"] as? [String: Any]
        else { return nil }
        return resolve(schema, schemas)
    }

    /// A body that gets past the first checks, so the hostile field is the one looked at.
    private static func plausible(_ schema: [String: Any], _ schemas: [String: Any], ids: [String: String]) -> [String: any Sendable] {
        var body: [String: any Sendable] = [:]
        for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
            let property = resolve(property as? [String: Any] ?? [:], schemas)
            if let id = ids[name] { body[name] = id; continue }
            if let values = property["enum"] as? [String], let first = values.first { body[name] = first; continue }
            let types = (property["type"] as? String).map { [$0] } ?? (property["type"] as? [String] ?? [])
            if property["format"] as? String == "date-time" { body[name] = "2026-11-26T08:00:00Z" }
            else if types.contains("integer") || types.contains("number") { body[name] = 1 }
            else if types.contains("boolean") { body[name] = true }
            else if types.contains("string") { body[name] = name == "timeZone" ? "Europe/Berlin" : "x\(name)" }
        }
        return body
    }
}
