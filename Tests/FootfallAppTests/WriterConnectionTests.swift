@testable import FootfallApp
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("The ledger's writer carries on when PostgreSQL closes its connection", .serialized)
struct WriterConnectionTests {
    /// The writer keeps its connection from one turn to the next while events keep coming; a
    /// connection the database has closed must not stay its connection.
    @Test(.enabled(if: TestDatabase.isPostgres, "PostgreSQL closes connections; SQLite's is a file"), .timeLimit(.minutes(6)))
    func cardEventsAreDecidedAgainOnceItsConnectionIsClosed() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            _ = try await api.member(card: "0A0B0C0D")
            _ = try await api.member(card: "0E0F1011")
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_in")

            StuckTests.step("finding the writer's connection")
            // The writer's connection, found from inside the writer, closed by the server.
            let pid = try await api.app.ledger.writer.perform { db in
                try #require(try await (db as! any SQLDatabase).raw("SELECT pg_backend_pid() AS pid").first()).decode(column: "pid", as: Int32.self)
            }
            StuckTests.step("closing the writer's connection")
            let closed = try await (api.app.db as! any SQLDatabase).raw("SELECT pg_terminate_backend(\(bind: pid), 5000) AS closed").first()
            #expect(try closed?.decode(column: "closed", as: Bool.self) == true)

            // An event that meets the closed connection fails with a server error (if the client
            // side has not yet seen it close); sent again with its event id, as a reader does,
            // it is decided on a new connection. So is the next.
            let eventId = UUID().uuidString
            StuckTests.step("first event after the close")
            var reply = try await reader.send("card", "0E0F1011", eventId: eventId)
            if reply.status != .ok {
                #expect(reply.status.code >= 500, "\(reply.body)")
                StuckTests.step("the event sent again")
                reply = try await reader.send("card", "0E0F1011", eventId: eventId)
            }
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply.result == "checked_in")
            api.clock.advance(by: 60)
            StuckTests.step("the next event")
            let out = try await reader.send("card", "0A0B0C0D")
            #expect(out.result == "checked_out", "\(out.status) \(out.body)")
        }
    }

    /// While PostgreSQL refuses connections (as when it is down or out of reach), a reader's event
    /// is answered 503 `database_unavailable`, with a time to try again, and nothing is written:
    /// whether it reached the writer (device and location in memory) or failed looking up its
    /// location or its device; so is a door's webhook. Sent again with its event id once
    /// PostgreSQL is back, each is decided as new.
    @Test(.enabled(if: TestDatabase.isPostgres, "PostgreSQL refuses connections; SQLite's is a file"), .timeLimit(.minutes(6)))
    func eventsWhileNoConnectionCanBeHadAreAnswered503AndCanBeSentAgain() async throws {
        // A database of its own, whose connections can be refused without touching other tests'.
        let name = "t_unavailable_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let base = try #require(TestDatabase.postgresURL)
        var url = try #require(URLComponents(string: base))
        url.path = "/\(name)"
        let database = try #require(url.string)
        try await withFootfall { outside in
            let admin = outside.app.db as! any SQLDatabase
            try await admin.raw("CREATE DATABASE \(ident: name)").run()
            var failure: (any Error)?
            do {
                try await Self.refusingConnections(to: name, url: database, admin: admin)
            } catch {
                failure = error
            }
            try await admin.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            if let failure { throw failure }
        }
    }

    /// The test proper, on the database `name` (at `url`), whose connections `admin` refuses.
    private static func refusingConnections(to name: String, url: String, admin: any SQLDatabase) async throws {
        try await withFootfall(database: .postgres(url: url, searchPath: nil), keepDatabase: true) { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            let door = try await api.door(at: location, doors: ["front": "in"])
            _ = try await api.doorMember(externalId: "u-17")
            for card in ["0A0B0C0D", "0E0F1011", "12131415", "16171819"] { _ = try await api.member(card: card) }
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_in")

            StuckTests.step("refusing connections")
            try await admin.raw("ALTER DATABASE \(ident: name) ALLOW_CONNECTIONS false").run()
            try await admin.raw("""
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = \(bind: name)
                """).run()
            // The device and its location are in memory: the event goes to the writer. A pooled
            // connection not yet seen closed fails its turn (500); the writer then asks for a new
            // connection, which is refused.
            // Each refusal below is meant to come from its own place: the lookups are kept for
            // 10 s of real time, so a slow step before them would send the first two elsewhere.
            let lookups = api.app.ledger.lookups
            let locationId = try #require(UUID(uuidString: location))
            #expect(lookups.locations.value(for: locationId) != nil)
            var sent: [(card: String, eventId: String)] = [("0E0F1011", UUID().uuidString)]
            var refused = [try await reader.send("card", sent[0].card, eventId: sent[0].eventId)]
            if refused[0].status == .internalServerError { refused[0] = try await reader.send("card", sent[0].card, eventId: sent[0].eventId) }
            // The device in memory but not its location: the location's lookup cannot reach the database.
            #expect(lookups.devices.value(for: SecretToken.digest(reader.key)) != nil)
            lookups.locations.removeAll()
            sent.append(("12131415", UUID().uuidString))
            refused.append(try await reader.send("card", sent[1].card, eventId: sent[1].eventId))
            // Nothing in memory: the device's lookup cannot reach the database.
            lookups.devices.removeAll()
            sent.append(("16171819", UUID().uuidString))
            refused.append(try await reader.send("card", sent[2].card, eventId: sent[2].eventId))
            // A door's webhook looks its device up before anything else.
            let doorEvent = UUID().uuidString
            refused.append(try await door.unlock("front", user: ["externalId": "u-17"], eventId: doorEvent))
            for reply in refused {
                #expect(reply.status == .serviceUnavailable, "\(reply.status) \(reply.body)")
                #expect(reply.code == "database_unavailable")
                #expect(reply.contentType == "application/problem+json")
                #expect(reply.headers.first(name: .retryAfter) == "5")
            }

            StuckTests.step("taking connections again")
            try await admin.raw("ALTER DATABASE \(ident: name) ALLOW_CONNECTIONS true").run()
            let sql = api.app.db as! any SQLDatabase
            func stored(_ eventId: String) async throws -> Int? {
                try await sql.raw("SELECT count(*) AS n FROM device_events WHERE event_id = \(bind: eventId)").first()?
                    .decode(column: "n", as: Int.self)
            }
            for eventId in sent.map(\.eventId) + [doorEvent] { #expect(try await stored(eventId) == 0) }
            for (card, eventId) in sent {
                let reply = try await reader.send("card", card, eventId: eventId)
                #expect(reply.status == .ok, "\(reply.body)")
                #expect(reply.result == "checked_in")
                #expect(try await stored(eventId) == 1)
            }
            let entry = try await door.unlock("front", user: ["externalId": "u-17"], eventId: doorEvent)
            #expect(entry.result == "checked_in", "\(entry.status) \(entry.body)")
            #expect(try await stored(doorEvent) == 1)
        }
    }

    /// The connection pool's own failures, before any write: waiting too long for a connection
    /// is the database out of reach, a pool shut down is the server stopping; a statement's error
    /// is neither.
    @Test func thePoolsOwnFailuresBeforeAnyWriteAre503s() async throws {
        #expect(APIError(unreachableDatabase: ConnectionPoolTimeoutError.connectionRequestTimeout)?.problem.code == "database_unavailable")
        #expect(APIError(unreachableDatabase: ConnectionPoolError.shutdown)?.problem.code == "shutting_down")
        #expect(APIError(unreachableDatabase: CancellationError()) == nil)
        let logger = Logger(label: "test")
        await #expect(throws: APIError.self) {
            try await APIError.beforeAnyWrite(logger: logger) { () async throws -> Int in throw ConnectionPoolError.shutdown }
        }
    }

    /// The writer's card read is prepared once on its connection, and PostgresNIO keeps a failed
    /// preparation for the connection's life: one that failed (a table a migration renamed for
    /// a moment) must not stay the answer to every card on that connection.
    @Test(.enabled(if: TestDatabase.isPostgres, "prepared statements are PostgreSQL's"), .timeLimit(.minutes(6)))
    func cardsAreReadAgainAfterTheirPreparedReadFailed() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location)
            _ = try await api.member(card: "0A0B0C0D")
            let sql = api.app.db as! any SQLDatabase

            try await sql.raw("ALTER TABLE card_keys RENAME TO card_keys_away").run()
            let eventId = UUID().uuidString
            let refused = try await reader.send("card", "0A0B0C0D", eventId: eventId)
            #expect(refused.status.code >= 500, "\(refused.body)")
            try await sql.raw("ALTER TABLE card_keys_away RENAME TO card_keys").run()

            // Sent again, as a reader does: decided, and so is the next.
            let reply = try await reader.send("card", "0A0B0C0D", eventId: eventId)
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply.result == "checked_in")
            api.clock.advance(by: 60)
            #expect(try await reader.send("card", "0A0B0C0D").result == "checked_out")
        }
    }
}
