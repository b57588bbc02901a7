import Fluent
import SQLKit

/// Runs the ledger's writes one at a time, many to a transaction.
///
/// Writes queue here; the writer takes everything waiting (up to `maximumBatch`), runs each in a
/// savepoint of one transaction, commits once, and only then answers each caller. One commit —
/// one fsync — serves a whole batch, so throughput grows with load while every answer still
/// waits for its write to be durable. A write that fails rolls back to its savepoint alone.
///
/// On SQLite the transaction begins `IMMEDIATE`, taking the write lock up front; on PostgreSQL
/// several servers' writers run side by side and the database's constraints settle races: a
/// write refused by a unique index (another server took the visit or the event id first) is run
/// again, and then sees what the other server committed.
actor LedgerWriter {
    typealias Body = @Sendable (any Database) async throws -> any Sendable

    private struct Job {
        let body: Body
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let database: any Database
    private let maximumBatch: Int
    private var waiting: [Job] = []
    private var draining = false

    init(database: any Database, maximumBatch: Int = 512) {
        self.database = database
        self.maximumBatch = maximumBatch
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { continuation in
            waiting.append(Job(body: { try await body($0) }, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
        return result as! T
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maximumBatch))
            waiting.removeFirst(batch.count)
            await run(batch)
        }
        draining = false
    }

    private func run(_ batch: [Job]) async {
        let bodies = batch.map(\.body)
        let results: [Result<any Sendable, any Error>]
        do {
            results = try await database.withConnection { connection in
                let sql = connection as! any SQLDatabase
                try await sql.raw(sql.dialect.name == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN").run()
                do {
                    var results: [Result<any Sendable, any Error>] = []
                    for body in bodies { results.append(await Self.attempt(body, on: connection, sql)) }
                    try await sql.raw("COMMIT").run()
                    return results
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
            return
        }
        for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
    }

    /// One write in its savepoint, tried again (up to three times) when a unique index refuses it.
    private static func attempt(_ body: Body, on connection: any Database, _ sql: any SQLDatabase) async -> Result<any Sendable, any Error> {
        var tries = 0
        while true {
            do {
                try await sql.raw("SAVEPOINT ledger_write").run()
                let value = try await body(connection)
                try await sql.raw("RELEASE SAVEPOINT ledger_write").run()
                return .success(value)
            } catch {
                do {
                    try await sql.raw("ROLLBACK TO SAVEPOINT ledger_write").run()
                    try await sql.raw("RELEASE SAVEPOINT ledger_write").run()
                } catch let rollbackError {
                    return .failure(rollbackError)
                }
                if let databaseError = error as? any DatabaseError, databaseError.isConstraintFailure, tries < 3 {
                    tries += 1
                    continue
                }
                return .failure(error)
            }
        }
    }
}
