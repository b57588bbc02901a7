@testable import FootfallApp
import FootfallCore
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

@Suite("Backups while the server writes")
struct BackupTests {
    /// Card taps keep coming while the copy is taken; the copy is a whole database as it was at
    /// one moment, and with its key file it serves as the original did.
    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite's own backup; PostgreSQL's is pg_dump"))
    func aBackupTakenDuringTapsIsConsistentAndRestores() async throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("footfall-backup-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", ".key", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        try await withFootfall { api in
            let location = try await api.location()
            let reader = try await api.device(at: location, direction: "in")
            let kiosk = try await api.device(at: location, kind: "kiosk", direction: "in")
            for index in 0..<40 { _ = try await api.member(card: String(format: "BAC0%04X", index), pin: index == 0 ? "2468" : nil) }
            let written = try await withThrowingTaskGroup(of: Backup.Written?.self) { group in
                for index in 0..<40 { group.addTask { _ = try await reader.send("card", String(format: "BAC0%04X", index)); return nil } }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(20))
                    return try await Backup.write(to: copy, from: api.app)
                }
                return try await group.reduce(into: [Backup.Written]()) { if let written = $1 { $0.append(written) } }.first
            }
            #expect(written?.bytes ?? 0 > 0)
            // Personal data: readable by its owner only.
            #expect((try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // A second backup to the same file is refused, and the first is left as it was.
            await #expect(throws: Backup.Refusal.self) { try await Backup.write(to: copy, from: api.app) }
            #expect(try await kiosk.send("pin", "2468").result == "already_in")

            // Restored: the copy, with the key file beside it, as a database of its own.
            let key = try #require(written?.keyFile)
            try FileManager.default.copyItem(atPath: key, toPath: copy + ".key")
            try await withFootfall(database: .sqlite(path: copy), keepDatabase: true) { restored in
                let rows = try await (restored.app.db as! any SQLDatabase).raw("PRAGMA integrity_check").all()
                #expect(try rows.first?.decode(column: "integrity_check", as: String.self) == "ok")
                let visits = try await restored.get("/api/v1/check-ins?limit=1000").items
                #expect(visits.count <= 40)
                #expect(try await restored.get("/api/v1/customers?limit=1000").items.count == 40)
                // The PIN set before the copy works in the copy: its hash needs the key file.
                let restoredKiosk = try await restored.device(at: location, kind: "kiosk", direction: "in")
                let answer = try await restoredKiosk.send("pin", "2468").result
                #expect(answer == "checked_in" || answer == "already_in", "\(answer ?? "no answer")")
            }
        }
    }

    /// Two backups while 32 readers keep posting: each copy, read by the sqlite3 command line,
    /// passes its integrity check and holds every event acknowledged before that backup began.
    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite's own backup; PostgreSQL's is pg_dump"))
    func twoBackupsUnderLoadEachHoldEverythingAcknowledgedBeforeThem() async throws {
        let copies = (0..<2).map { FileManager.default.temporaryDirectory.appendingPathComponent("footfall-backup-\(UUID().uuidString)-\($0).sqlite").path }
        defer { for copy in copies { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } } }
        try await withFootfall { api in
            let location = try await api.location()
            var readers: [TestDevice] = []
            for _ in 0..<32 { readers.append(try await api.device(at: location, direction: "toggle")) }
            for index in 0..<32 { _ = try await api.member(card: String(format: "B0C0%04X", index)) }
            let acknowledged = NIOLockedValueBox<Set<String>>([])
            let stop = NIOLockedValueBox(false)
            var snapshots: [Set<String>] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, reader) in readers.enumerated() {
                    group.addTask {
                        while !stop.withLockedValue({ $0 }) {
                            let eventId = UUID().uuidString
                            let reply = try await reader.send("card", String(format: "B0C0%04X", index), eventId: eventId)
                            if reply.status == .ok { acknowledged.withLockedValue { _ = $0.insert(eventId) } }
                        }
                    }
                }
                // Each backup once another 64 events have been acknowledged (on a loaded machine that
                // takes a while), while the readers keep going.
                for copy in copies {
                    let wanted = acknowledged.withLockedValue { $0.count } + 64
                    try await waitUntil { acknowledged.withLockedValue { $0.count } >= wanted }
                    snapshots.append(acknowledged.withLockedValue { $0 })
                    _ = try await Backup.write(to: copy, from: api.app)
                }
                let wanted = acknowledged.withLockedValue { $0.count } + 32
                try await waitUntil { acknowledged.withLockedValue { $0.count } >= wanted }
                stop.withLockedValue { $0 = true }
                try await group.waitForAll()
            }
            for (copy, before) in zip(copies, snapshots) {
                #expect(before.count >= 64)
                #expect(try sqlite3(copy, "PRAGMA integrity_check") == "ok")
                let stored = Set(try sqlite3(copy, "SELECT event_id FROM device_events").split(separator: "\n").map(String.init))
                #expect(before.isSubset(of: stored), "\(before.subtracting(stored).count) acknowledged events missing from \(copy)")
            }
        }
    }

    /// Polls `condition` every 20 ms for at most a minute.
    private func waitUntil(_ condition: () -> Bool) async throws {
        let started = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - started < .seconds(60) else { throw ServerError("readers acknowledged too few events in a minute") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func onPostgreSQLTheAnswerNamesPgDump() async throws {
        try await withFootfall { api in
            guard TestDatabase.isPostgres else {
                #expect(Backup.Refusal.postgres.description.contains("pg_dump"))
                return
            }
            do {
                _ = try await Backup.write(to: "/tmp/never-\(UUID().uuidString).sqlite", from: api.app)
                Issue.record("a PostgreSQL backup was written")
            } catch let refusal as Backup.Refusal {
                #expect(refusal.description.contains("pg_dump"))
            }
        }
    }
}
