import ArgumentParser
import FootfallApp
import FootfallCore
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Helpers for `scripts/bench`; not part of the product.
@main
struct FootfallBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footfall-bench",
        abstract: "Benchmark helpers: the reference plain-text server, and benchmark databases.",
        subcommands: [Plaintext.self, SeedReaders.self, SeedWifi.self, SeedHistory.self]
    )
}

/// Vapor's own plain-text route: the ceiling any route of ours is measured against. Also a
/// webhook endpoint that takes every delivery at once (`POST /hook/…`, 204), for the card
/// benchmark with subscribed endpoints, and the same POST by two other paths, for what each
/// costs (`Benchmarks/wrk/framework-post.lua`).
struct Plaintext: AsyncParsableCommand {
    @ArgumentParser.Option var port = 8081

    func run() async throws {
        var environment = Environment.production
        environment.arguments = ["footfall-bench", "serve"]
        let app = try await Application.make(environment)
        app.logger.logLevel = .error
        app.http.server.configuration.port = port
        app.get("plaintext") { _ in "Hello, World!" }
        app.on(.POST, "hook", ":endpoint", body: .collect(maxSize: "64kb")) { _ in HTTPStatus.noContent }
        // The same through Swift concurrency, as a device event went before session 28: an
        // `AsyncMiddleware`, an `async` handler, and an actor on a thread of its own that answers
        // through a continuation (BENCHMARKS.md, "Session 28").
        let desk = Desk()
        app.grouped(PassThrough()).on(.POST, "hook-async", ":endpoint", body: .collect(maxSize: "64kb")) { _ async in
            _ = await desk.take()
            return HTTPStatus.noContent
        }
        // And as a device event goes since: a plain `Middleware` and handler, a hand-over to a
        // thread of its own through a locked queue, and the answer through an `EventLoopPromise`.
        let inbox = Inbox()
        app.grouped(PassThroughPlain()).on(.POST, "hook-loop", ":endpoint", body: .collect(maxSize: "64kb")) { request in
            let answer = request.eventLoop.makePromise(of: Int.self)
            inbox.take(answer)
            return answer.futureResult.map { _ in HTTPStatus.noContent }
        }
        try await app.execute()
        try await app.asyncShutdown()
    }
}

/// A database with one location, an unlimited plan, `readers` card readers and `cards` customers
/// per reader, each with a six-byte card `04 RR CCCCCC 80` (reader, customer; hex), so that no short or reversed reading of one card is another card's whole number.
/// Writes the readers' ids and keys as a Lua table for wrk.
struct SeedReaders: AsyncParsableCommand {
    @ArgumentParser.Option var database: String
    @ArgumentParser.Option var readers = 32
    @ArgumentParser.Option var cards = 4000
    @ArgumentParser.Option var lua: String

    func run() async throws {
        try await withBenchDatabase(database) { try await seed($0) }
    }

    private func seed(_ sql: any SQLDatabase) async throws {
        let now = Date()
        try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
        let (location, plan) = try await benchPlace(sql, now: now)
        var lines = ["return {"]
        for reader in 0..<readers {
            let device = UUID(), key = "bench-reader-key-\(reader)-\(UUID().uuidString)"
            let keyHash = sha256Hex(key)
            try await sql.insert(into: "devices")
                .columns("id", "name", "location_id", "kind", "direction", "key_hash", "created_at")
                .values(SQLBind(device), SQLBind("Reader \(reader)"), SQLBind(location), SQLBind("reader"), SQLBind("toggle"),
                        SQLBind(keyHash), SQLBind(now)).run()
            lines.append("  { id = \"\(device.uuidString)\", key = \"\(key)\" },")
            for start in stride(from: 0, to: cards, by: 250) {
                var customers: [[any SQLExpression]] = [], cardRows: [[any SQLExpression]] = [], keyRows: [[any SQLExpression]] = []
                for index in start..<min(cards, start + 250) {
                    let customer = UUID(), card = UUID()
                    let number = CardNumber(String(format: "04%02X%06X80", reader, index), format: .hex)!
                    customers.append([SQLBind(customer), SQLBind("Member \(reader)-\(index)"), SQLBind("m\(reader)-\(index)@bench.invalid"),
                                      SQLBind(plan), SQLBind(true), SQLBind(UUID().uuidString), SQLBind(now)])
                    cardRows.append([SQLBind(card), SQLBind(customer), SQLBind(number.hex), SQLBind(now)])
                    keyRows += number.matchKeys.map { [SQLBind(UUID()), SQLBind(card), SQLBind($0)] }
                }
                try await sql.insert(into: "customers").columns("id", "name", "email", "plan_id", "active", "member_secret", "created_at")
                    .rows(customers).run()
                try await sql.insert(into: "cards").columns("id", "customer_id", "normalized", "created_at").rows(cardRows).run()
                // The short readings of made-up numbers clash now and then; each card keeps its whole UID.
                try await sql.insert(into: "card_keys").columns("id", "card_id", "key").rows(keyRows).ignoringConflicts().run()
            }
        }
        try await sql.raw("COMMIT").run()
        lines.append("}")
        try lines.joined(separator: "\n").write(toFile: lua, atomically: true, encoding: .utf8)
    }
}

/// A database with one location, an unlimited plan, a Wi-Fi NAS (`NAS-Identifier` `bench-nas`,
/// shared secret `secret`) and `sessions` customers in on Wi-Fi, one accounting session each
/// (`bench-N`). Writes `rounds` Interim-Updates per session, with growing counters, as a
/// radclient request file.
struct SeedWifi: AsyncParsableCommand {
    @ArgumentParser.Option var database: String
    @ArgumentParser.Option var sessions = 500
    @ArgumentParser.Option var rounds = 40
    @ArgumentParser.Option var secret = "testing123"
    @ArgumentParser.Option var requests: String

    func run() async throws {
        try await withBenchDatabase(database) { try await seed($0) }
        var text = ""
        for round in 1...rounds {
            for session in 0..<sessions {
                text += """
                    Acct-Status-Type = Interim-Update
                    Acct-Session-Id = "bench-\(session)"
                    User-Name = "bench-\(session)"
                    NAS-Identifier = "bench-nas"
                    Calling-Station-Id = "02-00-00-00-\(String(format: "%02X-%02X", session >> 8, session & 0xFF))"
                    Acct-Input-Octets = \(round * 1000)
                    Acct-Output-Octets = \(round * 5000)
                    Acct-Session-Time = \(round * 60)


                    """
            }
        }
        try text.write(toFile: requests, atomically: true, encoding: .utf8)
    }

    private func seed(_ sql: any SQLDatabase) async throws {
        let now = Date()
        let device = UUID()
        try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
        let (location, plan) = try await benchPlace(sql, now: now)
        let keyHash = sha256Hex(secret)
        try await sql.insert(into: "devices")
            .columns("id", "name", "location_id", "kind", "direction", "key_hash", "signing_key", "nas_identifier", "created_at")
            .values(SQLBind(device), SQLBind("Bench NAS"), SQLBind(location), SQLBind("wifi"), SQLBind("toggle"), SQLBind(keyHash),
                    SQLBind(secret), SQLBind("bench-nas"), SQLBind(now)).run()
        let closes = now + 900  // the default Wi-Fi idle timeout
        for start in stride(from: 0, to: sessions, by: 250) {
            var customers: [[any SQLExpression]] = [], visits: [[any SQLExpression]] = []
            for index in start..<min(sessions, start + 250) {
                let customer = UUID()
                customers.append([SQLBind(customer), SQLBind("Guest \(index)"), SQLBind("g\(index)@bench.invalid"), SQLBind(plan), SQLBind(true),
                                  SQLBind(UUID().uuidString), SQLBind(now)])
                visits.append([SQLBind(UUID()), SQLBind(customer), SQLBind(location), SQLBind(now), SQLBind("wifi"), SQLBind(device),
                               SQLBind(plan), SQLBind(closes), SQLBind("bench-\(index)"), SQLBind(now), SQLBind(Int64(0))])
            }
            try await sql.insert(into: "customers").columns("id", "name", "email", "plan_id", "active", "member_secret", "created_at")
                .rows(customers).run()
            try await sql.insert(into: "check_ins")
                .columns("id", "customer_id", "location_id", "checked_in_at", "method", "device_id", "admitted_plan_id", "closes_at",
                         "wifi_session_id", "last_activity_at", "wifi_octets")
                .rows(visits).run()
        }
        try await sql.raw("COMMIT").run()
    }
}

/// Opens (and migrates) a SQLite benchmark database for `body`, then shuts the app down.
/// A benchmark database, migrated: `database` is a SQLite file or a `postgres://` URL (whose
/// server key is `FOOTFALL_SECRET_KEY`, as the servers run on it are given). `body` gets one
/// connection.
func withBenchDatabase(_ database: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
    var settings = Settings()
    if database.hasPrefix("postgres") {
        settings.database = .postgres(url: database)
        settings.secretKey = ProcessInfo.processInfo.environment["FOOTFALL_SECRET_KEY"]
    } else {
        settings.database = .sqlite(path: database)
    }
    let app = try await Application.make(.production)
    app.logger.logLevel = .error
    do {
        try await configure(app, settings)
        try await app.db.withConnection { try await body($0 as! any SQLDatabase) }
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A year of history for the report benchmarks: two locations (Berlin, New York, cut-off at
/// midnight), `customers` customers on one plan, and `checkins` closed visits spread over the
/// `days` before now — each on a random day, arriving between 07:00 and 19:00 local time and
/// staying 15 minutes to 9 hours (never past the cut-off) — plus `open` visits still in today.
/// The same seed gives the same history.
struct SeedHistory: AsyncParsableCommand {
    @ArgumentParser.Option var database: String
    @ArgumentParser.Option var checkins = 1_000_000
    @ArgumentParser.Option var customers = 2_000
    @ArgumentParser.Option var days = 365
    @ArgumentParser.Option var open = 40
    @ArgumentParser.Option var seed: UInt64 = 42

    func run() async throws {
        try await withBenchDatabase(database) { try await fill($0) }
    }

    private func fill(_ sql: any SQLDatabase) async throws {
        let now = Date()
        var random = SplitMix(seed: seed)
        let plan = UUID()
        let locations = [(UUID(), "Bench Berlin", "Europe/Berlin"), (UUID(), "Bench New York", "America/New_York")]
        try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
        try await sql.insert(into: "plans").columns("id", "name", "location_ids", "limit_enforce", "overtime", "created_at")
            .values(SQLBind(plan), SQLBind("Unlimited"), SQLBind("[]"), SQLBind(true), SQLBind("allow"), SQLBind(now)).run()
        for (id, name, zone) in locations {
            try await sql.insert(into: "locations").columns("id", "name", "time_zone", "cutoff_time", "created_at")
                .values(SQLBind(id), SQLBind(name), SQLBind(zone), SQLBind("00:00"), SQLBind(now)).run()
        }
        let people = (0..<customers).map { _ in UUID() }
        for start in stride(from: 0, to: customers, by: 500) {
            try await sql.insert(into: "customers").columns("id", "name", "email", "plan_id", "active", "member_secret", "created_at")
                .rows((start..<min(customers, start + 500)).map { index in
                    [SQLBind(people[index]), SQLBind("Member \(index)"), SQLBind("m\(index)@history.invalid"), SQLBind(plan), SQLBind(true),
                     SQLBind(UUID().uuidString), SQLBind(now)]
                }).run()
        }
        let zones = locations.map { LocalZone(timeZone: TimeZone(identifier: $0.2)!) }
        let today = zones.map { $0.day(of: now) }
        var rows: [[any SQLExpression]] = []
        func flush() async throws {
            guard !rows.isEmpty else { return }
            try await sql.insert(into: "check_ins")
                .columns("id", "customer_id", "location_id", "checked_in_at", "checked_out_at", "method", "check_out_method",
                         "admitted_plan_id", "closes_at")
                .rows(rows).run()
            rows.removeAll(keepingCapacity: true)
        }
        for _ in 0..<checkins {
            let place = Int(random.next() % 2), zone = zones[place]
            let day = zone.adding(days: -Int(1 + random.next() % UInt64(days)), to: today[place])
            let start = zone.start(of: day) + TimeInterval(7 * 3600 + Int(random.next() % (12 * 3600)))
            let end = min(start + TimeInterval(900 + Int(random.next() % (8 * 3600 + 2700))), zone.nextCutoff(after: start))
            rows.append([SQLBind(UUID()), SQLBind(people[Int(random.next() % UInt64(customers))]), SQLBind(locations[place].0),
                         SQLBind(start), SQLBind(end), SQLBind("rfid"), SQLBind("rfid"), SQLBind(plan), SQLBind(end)])
            if rows.count == 500 { try await flush() }
        }
        for index in 0..<open {
            let place = index % 2
            let start = max(zones[place].start(of: today[place]), now - TimeInterval(60 + Int(random.next() % 7200)))
            rows.append([SQLBind(UUID()), SQLBind(people[index]), SQLBind(locations[place].0), SQLBind(start), SQLBind(Date?.none),
                         SQLBind("rfid"), SQLBind(String?.none), SQLBind(plan), SQLBind(zones[place].nextCutoff(after: start))])
        }
        try await flush()
        try await sql.raw("COMMIT").run()
        try await sql.raw("ANALYZE").run()
    }
}

/// A small deterministic generator (SplitMix64), so that a seed always gives the same history.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The bench location (UTC, cut-off at midnight) and an unlimited plan, as the card and Wi-Fi
/// benchmarks use them.
func benchPlace(_ sql: any SQLDatabase, now: Date) async throws -> (location: UUID, plan: UUID) {
    let location = UUID(), plan = UUID()
    try await sql.insert(into: "locations").columns("id", "name", "time_zone", "cutoff_time", "created_at")
        .values(SQLBind(location), SQLBind("Bench"), SQLBind("UTC"), SQLBind("00:00"), SQLBind(now)).run()
    try await sql.insert(into: "plans")
        .columns("id", "name", "location_ids", "limit_enforce", "overtime", "created_at")
        .values(SQLBind(plan), SQLBind("Unlimited"), SQLBind([UUID]()), SQLBind(true), SQLBind("allow"), SQLBind(now)).run()
    return (location, plan)
}

/// A device key's SHA-256 in hex, as the server stores it.
func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// An `AsyncMiddleware` that does nothing: what Vapor costs to run one.
private struct PassThrough: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await next.respond(to: request)
    }
}

/// A serial executor on one event loop's thread, as the ledger's writer has.
private final class OneThread: SerialExecutor, @unchecked Sendable {
    let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }
    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// Answers whoever waits, all at once, on its own thread: the ledger writer's hand-over without the writes.
private actor Desk {
    let thread = OneThread()
    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    var waiting: [CheckedContinuation<Int, Never>] = []
    var draining = false
    func take() async -> Int {
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if !draining { draining = true; Task { await self.drain() } }
        }
    }
    func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            for continuation in batch { continuation.resume(returning: batch.count) }
            await Task.yield()
        }
        draining = false
    }
}


/// A `Middleware` that does nothing.
private struct PassThroughPlain: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request)
    }
}

/// `Desk` without Swift concurrency: waiters queue under a lock and are answered, all at once,
/// on a thread of its own.
private final class Inbox: Sendable {
    private let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    private let waiting = NIOLockedValueBox((promises: [EventLoopPromise<Int>](), awake: false))

    func take(_ promise: EventLoopPromise<Int>) {
        let wake = waiting.withLockedValue { waiting in
            waiting.promises.append(promise)
            defer { waiting.awake = true }
            return !waiting.awake
        }
        if wake { thread.execute { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = waiting.withLockedValue { waiting in
                defer { waiting.promises = [] }
                if waiting.promises.isEmpty { waiting.awake = false }
                return waiting.promises
            }
            if batch.isEmpty { return }
            for promise in batch { promise.succeed(batch.count) }
        }
    }
}
