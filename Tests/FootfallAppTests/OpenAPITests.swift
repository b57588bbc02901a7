@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("/openapi.json describes what the server does")
struct OpenAPITests {
    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        try await withFootfall { api in
            // The API's routes; the kiosk and member pages are HTML for people, not API.
            let apiRoutes = api.app.routes.all.filter { route in
                guard case .constant(let first)? = route.path.first else { return false }
                return ["api", "healthz", "openapi.json", "metrics"].contains(first)
            }
            let routes = Set(apiRoutes.map { route in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return "\(route.method.rawValue) \(path)"
            })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
        }
    }

    @Test func objectsHaveExactlyTheDocumentedFields() async throws {
        try await withFootfall { api in
            let document = try await api.request(.GET, "/openapi.json", headers: [:])
            #expect(document.string("openapi") == "3.1.0")
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            func required(_ name: String) -> Set<String> { Set((schemas[name] as? [String: Any])?["required"] as? [String] ?? []) }
            func fields(_ name: String) -> Set<String> {
                Set(((schemas[name] as? [String: Any])?["properties"] as? [String: Any] ?? [:]).keys)
            }

            let location = try await api.post("/api/v1/locations", ["name": "A", "timeZone": "Europe/Berlin"])
            let plan = try await api.post("/api/v1/plans", ["name": "P"])
            let customer = try await api.post("/api/v1/customers", ["name": "C", "email": "c@example.com", "planId": plan.id])
            let pass = try await api.post("/api/v1/customers/\(customer.id)/passes", ["kind": "day"])
            let device = try await api.post("/api/v1/devices", ["name": "D", "locationId": location.id, "kind": "reader"])
            let checkIn = try await api.checkIn(customer.id, at: location.id)
            let presence = try await api.get("/api/v1/locations/\(location.id)/presence")
            let usage = try await api.get("/api/v1/customers/\(customer.id)/usage")
            let stranger = try await api.post("/api/v1/customers", ["name": "S", "email": "s@example.com"])
            let refused = try await api.checkIn(stranger.id, at: location.id)
            let failed = try await api.get("/api/v1/failed-check-ins").items.first ?? [:]
            var csv = adminHeaders
            csv.replaceOrAdd(name: .contentType, value: "text/csv")
            let imported = try await api.request(.POST, "/api/v1/imports/customers", headers: csv, rawBody: "name,email\r\nI,i@example.com\r\n")
            let badImport = try await api.request(.POST, "/api/v1/imports/customers", headers: csv, rawBody: "name,email\r\nI,not-an-email\r\n")

            let answers: [(String, [String: Any])] = [
                ("Location", location.json), ("Plan", plan.json), ("Customer", customer.json), ("Pass", pass.json),
                ("CreatedDevice", device.json), ("CheckIn", checkIn.json), ("Presence", presence.json), ("Usage", usage.json),
                ("Problem", refused.json), ("FailedCheckIn", failed), ("ImportSummary", imported.json), ("Problem", badImport.json),
            ]
            for (schema, json) in answers {
                #expect(!fields(schema).isEmpty, "\(schema) has no properties")
                // Every field served is documented, and every one documented as required is served.
                #expect(Set(json.keys).isSubset(of: fields(schema)) && required(schema).isSubset(of: Set(json.keys)),
                        "\(schema): served \(json.keys.sorted()), documented \(fields(schema).sorted()), required \(required(schema).sorted())")
            }
            #expect((badImport["errors"] as? [[String: Any]])?.first.map { Set($0.keys) } == fields("ImportProblem"))
        }
    }
}
