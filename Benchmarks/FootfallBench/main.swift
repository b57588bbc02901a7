import ArgumentParser
import FootfallApp
import FootfallCore
import Foundation
import SQLKit
import Vapor

/// Helpers for `scripts/bench`; not part of the product.
@main
struct FootfallBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footfall-bench",
        abstract: "Benchmark helpers: the reference plain-text server, and benchmark databases.",
        subcommands: [Plaintext.self, SeedReaders.self]
    )
}

/// Vapor's own plain-text route: the ceiling any route of ours is measured against.
struct Plaintext: AsyncParsableCommand {
    @ArgumentParser.Option var port = 8081

    func run() async throws {
        var environment = Environment.production
        environment.arguments = ["footfall-bench", "serve"]
        let app = try await Application.make(environment)
        app.logger.logLevel = .error
        app.http.server.configuration.port = port
        app.get("plaintext") { _ in "Hello, World!" }
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
        var settings = Settings()
        settings.database = .sqlite(path: database)
        let app = try await Application.make(.production)
        app.logger.logLevel = .error
        do {
            try await configure(app, settings)
            try await seed(app.db as! any SQLDatabase)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    private func seed(_ sql: any SQLDatabase) async throws {
        let now = Date()
        let location = UUID(), plan = UUID()
        try await sql.raw("BEGIN IMMEDIATE").run()
        try await sql.insert(into: "locations").columns("id", "name", "time_zone", "cutoff_time", "created_at")
            .values(SQLBind(location), SQLBind("Bench"), SQLBind("UTC"), SQLBind("00:00"), SQLBind(now)).run()
        try await sql.insert(into: "plans")
            .columns("id", "name", "location_ids", "limit_enforce", "overtime", "created_at")
            .values(SQLBind(plan), SQLBind("Unlimited"), SQLBind("[]"), SQLBind(true), SQLBind("allow"), SQLBind(now)).run()
        var lines = ["return {"]
        for reader in 0..<readers {
            let device = UUID(), key = "bench-reader-key-\(reader)-\(UUID().uuidString)"
            let keyHash = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
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
