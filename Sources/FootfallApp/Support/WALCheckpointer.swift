import Fluent
import SQLKit
import Vapor

/// Copies SQLite's write-ahead log back into the database file, beside the ledger's writer
/// instead of inside its commits.
///
/// By default the connection whose commit takes the log past 1,000 pages does this copy and its
/// fsync within that commit, so every few turns one batch of device events waited tens of
/// milliseconds longer (more when a long report kept part of the log in use). The writer's
/// connection has the automatic checkpoint turned off (`SQLiteWriterSettings`) and this task
/// runs a passive checkpoint — one that never waits for readers or the writer — ten times a
/// second on a pooled connection. A checkpoint beside a busy writer never quite catches up, and
/// the log starts again from its beginning only when it has: so four times a second the writer
/// copies the rest itself, between two turns (`LedgerWriter.checkpointIfDue`). Nothing about
/// durability changes: a commit is durable once it is in the log.
struct WALCheckpointer: LifecycleHandler {
    /// How often the log is copied back here; at the card benchmark's rate this is a few hundred
    /// pages.
    static let interval: Duration = .milliseconds(100)
    /// How often the ledger's writer finishes the copy, between two of its turns, so that the
    /// log can start again from its beginning (see `LedgerWriter.checkpointIfDue`). Once a
    /// second, at 5,000 card events a second the log grew past 100 MB between two restarts,
    /// each commit appended to the file instead of overwriting it, and the writer's own copy
    /// held a turn up long enough to show in the p99 (card benchmark, three runs each: 1 s
    /// 5,114–5,506 events/s, p99 39–42 ms; 250 ms 5,313–5,661 events/s, p99 22–29 ms).
    static let writerInterval: Duration = .milliseconds(250)

    func didBootAsync(_ application: Application) async throws {
        let sql = application.db as! any SQLDatabase
        let logger = application.logger
        let task = Task.detached {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: Self.interval)
                    try await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("WAL checkpoint failed: \(String(reflecting: error))")
                }
            }
        }
        application.storage[TaskKey.self] = task
    }

    func shutdownAsync(_ application: Application) async {
        await application.storage[TaskKey.self]?.stop()
    }

    private struct TaskKey: StorageKey { typealias Value = Task<Void, Never> }
}
