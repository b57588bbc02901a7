@testable import FootfallApp
import Foundation
import Testing
import VaporTesting

@Suite("The demo data")
struct DemoTests {
    @Test func demoIsRealisticAndLoadsOnce() async throws {
        try await withFootfall { api in
            let token = try await DemoData.load(into: api.app)
            try await DemoData.load(into: api.app)
            let demo: HTTPHeaders = ["Authorization": "Bearer \(token)"]

            let locations = try await api.request(.GET, "/api/v1/locations", headers: demo).items
            #expect(locations.count == 2)
            #expect(Set(locations.compactMap { $0["timeZone"] as? String }) == ["Europe/Berlin", "America/New_York"])
            #expect(locations.allSatisfy { $0["capacity"] is Int && $0["openingHours"] is [String: Any] })
            #expect(try await api.get("/api/v1/customers?limit=1000").items.count == 50)

            let plans = try await api.get("/api/v1/plans").items
            let limits = plans.compactMap { $0["limits"] as? [String: Any] }
            #expect(limits.contains { $0["days"] is Int })
            #expect(limits.contains { $0["hours"] is Double && $0["period"] as? String == "month" })
            #expect(limits.contains { $0["period"] as? String == "week" && $0["enforce"] as? Bool == false })
            #expect(plans.contains { !(($0["locationIds"] as? [String]) ?? []).isEmpty && $0["accessHours"] is [String: Any] })

            for location in locations {
                let presence = try await api.get("/api/v1/locations/\(location["id"] as! String)/presence")
                #expect((presence["count"] as? Int ?? 0) > 0)
            }
            #expect(try await api.get("/api/v1/check-ins?limit=1000&open=false").items.count > 200)
            #expect(try await api.get("/api/v1/failed-check-ins?limit=1000").items.count == 40)
        }
    }
}
