@testable import FootfallApp
import AsyncHTTPClient
import FootfallCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing
import VaporTesting

/// Reads Server-Sent Events from a running server, as a browser's EventSource would: a task
/// reads the stream into a buffer, and `next` waits for the next event a bounded time, so that a
/// missing event fails the test instead of hanging it.
final class EventStreamReader: Sendable {
    private let events = NIOLockedValueBox([(name: String, json: String)]())
    /// How the stream ended, if it did: for the message of a test that missed an event.
    let ending = NIOLockedValueBox<String?>(nil)
    private let reading: Task<Void, Never>

    /// Opens the stream with the admin token, or with these headers (a session cookie).
    init(port: Int, client: HTTPClient, headers: [(String, String)] = [("Authorization", "Bearer \(adminToken)")]) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/events/stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        let events = self.events, ending = self.ending
        reading = Task {
            var buffer = ""
            do {
            for try await chunk in response.body {
                buffer += String(buffer: chunk)
                while let end = buffer.range(of: "\n\n") {
                    let block = String(buffer[..<end.lowerBound])
                    buffer.removeSubrange(..<end.upperBound)
                    var name: String?, data = ""
                    for line in block.split(separator: "\n") {
                        if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                        if line.hasPrefix("data: ") { data += line.dropFirst(6) }
                    }
                    if let name { events.withLockedValue { $0.append((name, data)) } }
                }
            }
            ending.withLockedValue { $0 = "the stream ended" }
            } catch {
                ending.withLockedValue { $0 = "reading failed: \(String(reflecting: error))" }
            }
        }
    }

    /// The next event (comments skipped), waiting up to `seconds`; nil if none came.
    func next(within seconds: Double = 60) async throws -> (name: String, json: [String: Any])? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let event = events.withLockedValue({ $0.isEmpty ? nil : $0.removeFirst() }) {
                return (event.name, (try JSONSerialization.jsonObject(with: Data(event.json.utf8)) as? [String: Any]) ?? [:])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// How the stream ended, waiting up to `seconds`; nil if it is still open.
    func ended(within seconds: Double) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let ending = ending.withLockedValue({ $0 }) { return ending }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func close() { reading.cancel() }
}

@Suite("The events stream", .timeLimit(.minutes(6)))
struct EventStreamTests {
    @Test func checkInsCheckOutsAndRefusalsArriveAsTheyAreCommitted() async throws {
        try await withFootfall(clock: ManualClock(Date())) { api in
            let location = try await api.location()
            let ada = try await api.member(card: "AABBCCDD")
            let stranger = try await api.customer(["name": "No Plan"])
            let reader = try await api.device(at: location)
            try await api.withServer { port in
                let stream = try await EventStreamReader(port: port, client: api.app.http.client.shared)
                defer { stream.close() }
                for _ in 0..<1000 where api.app.ledger.live.listeners == 0 { try await Task.sleep(for: .milliseconds(20)) }
                #expect(api.app.ledger.live.listeners == 1)

                let visit = try await api.checkIn(ada, at: location)
                let checkIn = try #require(try await stream.next())
                #expect(checkIn.name == "check_in")
                #expect(checkIn.json["id"] as? String == visit.id)
                #expect(checkIn.json["customerId"] as? String == ada)

                let out = try await api.post("/api/v1/check-ins/\(visit.id)/check-out")
                #expect(out.status == .ok, "\(out.body)")
                let checkOut = try #require(try await stream.next(), "\(stream.ending.withLockedValue { $0 } ?? "stream still open")")
                #expect(checkOut.name == "check_out")
                #expect(checkOut.json["checkOutMethod"] as? String == "admin")

                _ = try await api.checkIn(stranger, at: location)
                let refused = try #require(try await stream.next())
                #expect(refused.name == "failed_check_in")
                #expect(refused.json["reason"] as? String == "no_valid_pass")

                // A reader's card, decided in the writer's batches, is told the same way.
                #expect(try await reader.send("card", "AABBCCDD").result == "checked_in")
                let tap = try #require(try await stream.next())
                #expect(tap.name == "check_in")
                #expect(tap.json["method"] as? String == "rfid")
            }
        }
    }

    /// A server stopping ends the streams, and one a browser opens again meanwhile (EventSource
    /// reconnects by itself) ends at once: either would otherwise hold up the shutdown.
    @Test func streamsEndWhenTheServerStopsAndOneOpenedThenEndsAtOnce() async throws {
        try await withFootfall { api in
            try await api.withServer { port in
                let open = try await EventStreamReader(port: port, client: api.app.http.client.shared)
                defer { open.close() }
                for _ in 0..<1000 where api.app.ledger.live.listeners == 0 { try await Task.sleep(for: .milliseconds(20)) }
                api.app.ledger.live.finish()
                #expect(try await open.ended(within: 10) == "the stream ended")
                let reconnected = try await EventStreamReader(port: port, client: api.app.http.client.shared)
                defer { reconnected.close() }
                #expect(try await reconnected.ended(within: 10) == "the stream ended")
                #expect(api.app.ledger.live.listeners == 0)
            }
        }
    }

    @Test func theStreamIsForAdmins() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            #expect(try await api.request(.GET, "/api/v1/events/stream", headers: [:]).status == .unauthorized)
            #expect(try await api.request(.GET, "/api/v1/events/stream", headers: ["Authorization": "Bearer \(reader.key)"]).status == .forbidden)
        }
    }
}
