@testable import FootfallApp
import FootfallCore
import Foundation
import TestSupport
import Testing
import VaporTesting

/// A scrape of `/metrics`, read by prometheus_client's parser (not ours).
struct Scrape {
    struct Sample { var name: String; var labels: [String: String]; var value: Double }
    var text: String
    var samples: [Sample]

    /// The sum of the samples of this name whose labels include these.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }
}

extension API {
    func scrape(token: String? = nil) async throws -> Scrape {
        let reply = try await request(.GET, "/metrics", headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        #expect(reply.status == .ok && reply.contentType?.hasPrefix("text/plain") == true, "\(reply.status) \(reply.body)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parse_metrics.py").path
        let json = try await runTool("/usr/bin/env", ["TEXT=" + reply.body, "/bin/sh", "-c", "printf '%s' \"$TEXT\" | python3 '\(script)'"])
        let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return Scrape(text: reply.body, samples: list.map {
            Scrape.Sample(name: $0["name"] as? String ?? "", labels: $0["labels"] as? [String: String] ?? [:], value: $0["value"] as? Double ?? 0)
        })
    }
}

@Suite("Prometheus metrics, read by prometheus_client and promtool", .timeLimit(.minutes(6)))
struct MetricsTests {
    @Test func knownEventsMoveTheCountersByExactlyThem() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan()
            let nas = try await api.nas(at: location)
            let (_, token) = try await api.wifiCustomer()
            let before = try await api.scrape()
            let members = [try await api.customer(planId: plan), try await api.customer(planId: plan), try await api.customer(planId: plan)]
            for member in members {
                let reply = try await api.checkIn(member, at: location)
                #expect(reply.status == .created)
            }
            for _ in 0..<2 {
                let stranger = try await api.customer()
                let reply = try await api.checkIn(stranger, at: location)
                #expect(reply.status == .unprocessableEntity)
            }
            try await api.withRADIUS { server in
                #expect(try await nas.login(token, on: server).received("Access-Accept"))
                // A datagram from a stranger: dropped.
                let dropped = try await radclient(["User-Name = \"x\"", "User-Password = \"y\""], port: server.authenticationPort, secret: "wrong",
                                                  timeout: 1, tries: 1)
                #expect(!dropped.answered)
            }
            let after = try await api.scrape()
            let at = ["location": location]
            #expect(after.sum("footfall_check_ins_total", at) - before.sum("footfall_check_ins_total", at) == 4)  // 3 at the desk, 1 on Wi-Fi
            #expect(after.sum("footfall_check_ins_total", at.merging(["method": "admin"]) { $1 })
                    - before.sum("footfall_check_ins_total", at.merging(["method": "admin"]) { $1 }) == 3)
            #expect(after.sum("footfall_failed_check_ins_total", ["reason": "no_valid_pass"])
                    - before.sum("footfall_failed_check_ins_total", ["reason": "no_valid_pass"]) == 2)
            #expect(after.sum("footfall_radius_requests_total", ["type": "access", "outcome": "accepted"])
                    - before.sum("footfall_radius_requests_total", ["type": "access", "outcome": "accepted"]) == 1)
            #expect(after.sum("footfall_radius_requests_total", ["outcome": "dropped"])
                    - before.sum("footfall_radius_requests_total", ["outcome": "dropped"]) == 1)
            #expect(after.sum("footfall_people_in", at) == 4)
            #expect(after.sum("http_requests_total", ["method": "POST", "status": "422"]) >= 2)
            #expect(after.sum("http_request_duration_seconds_count") > 0)
        }
    }

    /// Taps sent together share the writer's commits, and the turns counter shows it.
    @Test func tapsSentTogetherShareCommits() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let readers = [try await api.device(at: location), try await api.device(at: location)]
            var cards: [String] = []
            for index in 0..<40 {
                let card = String(format: "C0DE%04X", index)
                _ = try await api.member(card: card)
                cards.append(card)
            }
            let before = try await api.scrape()
            try await withThrowingTaskGroup(of: String?.self) { group in
                for (index, card) in cards.enumerated() { group.addTask { try await readers[index % 2].send("card", card).result } }
                for try await result in group { #expect(result == "checked_in") }
            }
            let after = try await api.scrape()
            let events = after.sum("footfall_device_events_total") - before.sum("footfall_device_events_total")
            let turns = after.sum("footfall_ledger_turns_total") - before.sum("footfall_ledger_turns_total")
            #expect(events == 40)
            #expect(turns >= 1 && turns < 40, "\(turns) commits for 40 taps")
        }
    }

    @Test func peopleInIsRightAfterARestartAndPromtoolAcceptsTheText() async throws {
        let database = TestDatabase.fresh()
        var location = ""
        try await withFootfall(database: database, keepDatabase: true) { api in
            location = try await api.location()
            let plan = try await api.plan()
            for _ in 0..<2 { _ = try await api.checkIn(try await api.customer(planId: plan), at: location) }
        }
        try await withFootfall(database: database) { api in
            let scrape = try await api.scrape()
            #expect(scrape.sum("footfall_people_in", ["location": location]) == 2)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
            try scrape.text.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let check = try await runTool("/usr/bin/env", ["/bin/sh", "-c", "promtool check metrics < '\(file.path)' 2>&1; echo \"exit $?\""])
            #expect(check.hasSuffix("exit 0\n"), "\(check)")
        }
    }

    @Test func aMetricsTokenClosesTheEndpoint() async throws {
        try await withFootfall(settings: { $0.metricsToken = "scrape-token" }) { api in
            let anonymous = try await api.request(.GET, "/metrics", headers: [:])
            #expect(anonymous.status == .unauthorized)
            let wrong = try await api.request(.GET, "/metrics", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let scrape = try await api.scrape(token: "scrape-token")
            #expect(scrape.sum("footfall_webhook_backlog") == 0)
        }
    }
}
