import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import FootfallCore
import NIOConcurrencyHelpers
import SQLKit

/// Runs the ledger's writes one at a time, many to a transaction.
///
/// Writes queue here; the writer takes everything waiting (up to `maximumBatch`), runs each in a
/// savepoint of one transaction, commits once, and only then answers each caller. One commit —
/// one fsync — serves a whole batch, so throughput grows with load while every answer still
/// waits for its write to be durable. A write that fails rolls back to its savepoint alone.
/// Device events and Wi-Fi activity queue apart and are decided together, each kind in one go
/// (see `DeviceEventBatch` and `Ledger.applyWifiActivity`).
///
/// The writer runs on a thread of its own (`WriterThread`; on SQLite its connection's calls run
/// there too) and keeps its connection from one turn to the next, waiting with it for the next
/// write (`waitForWork()`).
///
/// On SQLite the transaction begins `IMMEDIATE`, taking the write lock up front. On PostgreSQL
/// a turn of device events alone begins its transaction only when the batch needs one: a turn
/// of card taps that only open visits or are refused reads, then writes in one statement,
/// without `BEGIN` and `COMMIT` (see `WriteTransaction`). Several servers' writers run side by
/// side and the database's constraints settle races: when a batch fails (a unique index refused
/// it because another server took the visit or the event id first, or the two servers'
/// transactions deadlocked), each of its writes runs again in a transaction of its own, retried
/// while the database says to, and then sees what the other server committed.
actor LedgerWriter {
    typealias Body = @Sendable (any Database) async throws -> any Sendable

    private struct Job {
        let body: Body
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    /// Decides many device events at once; returns one answer per event, in order. On
    /// PostgreSQL the transaction may not have begun: the batch begins it before anything that
    /// needs one (see `WriteTransaction`).
    typealias EventBatch = @Sendable (any Database, WriteTransaction, [PreparedDeviceEvent]) async throws -> [String]

    private struct EventJob {
        let event: PreparedDeviceEvent
        let answer: @Sendable (Result<String, any Error>) -> Void
    }

    /// Where device events wait, taken from any thread without a hop to the writer's (see
    /// `record(_:batch:then:)`), and whether the writer is draining.
    private struct Inbox {
        var events: [EventJob] = []
        var batch: EventBatch?
        /// Set when a drain is started, cleared only under this lock with nothing waiting: so a
        /// write put in meanwhile is either taken by that drain or starts the next.
        var awake = false
        /// The draining writer, holding its connection, waiting for the next write (see
        /// `waitForWork()`): resumed by the write put in.
        var idle: CheckedContinuation<Void, Never>?
        /// Set by `finish()`: the writer no longer waits for writes holding its connection, and
        /// lets go of it whenever the queues are empty.
        var stopping = false

        enum Wake {
            case startDrain, resume(CheckedContinuation<Void, Never>), none
        }

        /// What the caller is to do for a write just put in.
        mutating func wake() -> Wake {
            if let waiting = idle {
                idle = nil
                return .resume(waiting)
            }
            defer { awake = true }
            return awake ? .none : .startDrain
        }
    }

    /// Applies many Wi-Fi accounting records (Start, Interim-Update) at once.
    typealias ActivityBatch = @Sendable (any Database, [Ledger.WifiAccounting]) async throws -> Void

    private struct ActivityJob {
        let record: Ledger.WifiAccounting
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let database: any Database
    private let thread: WriterThread
    private let live: LiveEvents
    private let outbox: WebhookOutbox
    private let metrics: FootfallMetrics
    private let clock: any WallClock
    private let logger: Logger
    private let maximumBatch: Int
    private var waiting: [Job] = []
    private let inbox = NIOLockedValueBox(Inbox())
    private var waitingActivity: [ActivityJob] = []
    private var activityBatch: ActivityBatch?
    /// SQLite: how often the writer, between two turns, copies the write-ahead log back itself.
    private let checkpointInterval: Duration?
    /// The last day's accepted taps, for the double-tap rule: kept on SQLite (`keepsTaps`), where
    /// every tap is this writer's.
    nonisolated let recentTaps = RecentTaps()
    private let keepsTaps: Bool
    private var lastCheckpoint = ContinuousClock.now
    /// What the writer is waiting for, and since when: said by a test that stops moving.
    nonisolated let step = NIOLockedValueBox((name: "idle", within: "", since: ContinuousClock.now))
    /// How many turns ended without having begun a transaction (PostgreSQL only): said to tests.
    nonisolated let turnsWithoutTransaction = NIOLockedValueBox(0)

    init(database: any Database, on thread: WriterThread, live: LiveEvents, outbox: WebhookOutbox, metrics: FootfallMetrics,
         clock: any WallClock, logger: Logger, maximumBatch: Int = 512) {
        self.database = database
        self.thread = thread
        self.live = live
        self.outbox = outbox
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.maximumBatch = maximumBatch
        let isSQLite = (database as? any SQLDatabase)?.dialect.name == "sqlite"
        self.checkpointInterval = isSQLite ? WALCheckpointer.writerInterval : nil
        self.keepsTaps = isSQLite
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    func perform<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { continuation in
            waiting.append(Job(body: { try await body($0) }, continuation: continuation))
            startDraining()
        }
        return result as! T
    }

    /// Device events wait here and are decided together, by `batch`, in the writer's next turn;
    /// `answer` is called on the writer's thread once the turn has committed (or failed). Called
    /// from any thread, without a hop to the writer's: a device event's request stays on its
    /// event loop from its first byte to its answer.
    nonisolated func record(_ event: PreparedDeviceEvent, batch: @escaping EventBatch,
                            then answer: @escaping @Sendable (Result<String, any Error>) -> Void) {
        inbox.withLockedValue { inbox in
            inbox.batch = batch
            inbox.events.append(EventJob(event: event, answer: answer))
        }
        startDraining()
    }

    /// Wi-Fi activity waits here and is applied together, by `batch`, in the writer's next turn.
    func record(_ activity: Ledger.WifiAccounting, batch: @escaping ActivityBatch) async throws {
        activityBatch = batch
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waitingActivity.append(ActivityJob(record: activity, continuation: continuation))
            startDraining()
        }
    }

    /// Wakes the writer if it waits for writes, else starts a drain unless one is running:
    /// called, from any thread, after a write is queued.
    private nonisolated func startDraining() {
        switch inbox.withLockedValue({ $0.wake() }) {
        case .startDrain: Task(executorPreference: thread) { await self.drain() }
        case .resume(let writer): writer.resume()
        case .none: break
        }
    }

    private var hasWork: Bool { inbox.withLockedValue { hasWork($0) } }

    /// Whether anything waits, device events read from `inbox` (under its lock).
    private func hasWork(_ inbox: Inbox) -> Bool { !waiting.isEmpty || !waitingActivity.isEmpty || !inbox.events.isEmpty }

    /// Whether the writer may stop: nothing waits. Then it is marked asleep, under the inbox's
    /// lock, so that a device event put in from now on starts a new drain.
    private func mayStop() -> Bool {
        inbox.withLockedValue { inbox in
            guard !hasWork(inbox) else { return false }
            inbox.awake = false
            return true
        }
    }

    /// Waits (up to `limit`) until the writer holds no connection: at shutdown, a connection
    /// still held would be handed back after its thread has stopped, and could not be closed.
    /// What still waits then is failed, not left unanswered (a device's promise dropped
    /// uncompleted would stop a debug build).
    func finish(within limit: Duration = .seconds(10)) async {
        let idle = inbox.withLockedValue { inbox in
            inbox.stopping = true
            defer { inbox.idle = nil }
            return inbox.idle
        }
        idle?.resume()
        let started = ContinuousClock.now
        while inbox.withLockedValue({ $0.awake }), ContinuousClock.now - started < limit { try? await Task.sleep(for: .milliseconds(10)) }
        failWaiting(ShuttingDown())
    }

    /// The server stopped before the writer's turn came: answered 503, to be sent again (to
    /// this server once it is back, or to another).
    struct ShuttingDown: Error {}

    /// The writer could get no connection to the database (PostgreSQL down or unreachable, say):
    /// what waited is answered 503, to be sent again; why is logged.
    struct NoConnection: Error {}

    /// Device events waiting for the writer's next turn: said to tests.
    nonisolated var queuedDeviceEvents: Int { inbox.withLockedValue { $0.events.count } }
    /// Other writes waiting for the writer's next turn: said to tests.
    var queuedJobs: Int { waiting.count }

    /// Holds the writer's connection, turn after turn on the writer's thread, waiting with it for
    /// the next write; lets go of it when a transaction failed or the connection was found closed
    /// (so that the pool replaces it), and when the server stops.
    private func drain() async {
        while !mayStop() {
            mark("waiting for a connection")
            do {
                try await database.withConnection { [thread] connection in
                    try await withTaskExecutorPreference(thread) { try await self.turns(on: connection) }
                }
            } catch {
                // No connection to be had (PostgreSQL down, say): what waits fails, rather than waiting on.
                logger.error("ledger writer has no connection: \(String(reflecting: error))")
                failWaiting(NoConnection())
            }
        }
        mark("idle")
    }

    private func mark(_ name: String) { step.withLockedValue { $0 = (name, "", .now) } }

    private func turns(on connection: any Database) async throws {
        if let sqlite = connection as? any SQLiteDatabase { try await SQLiteWriterSettings.apply(to: sqlite) }
        // Checked before each turn: a connection seen closed is let go, and the pool replaces it.
        let postgres = try await connection.postgreSQLConnection()
        var healthy = true
        while healthy, await waitForWork(), !(postgres?.isClosed ?? false) {
            let batch = Array(waiting.prefix(maximumBatch))
            waiting.removeFirst(batch.count)
            let (events, eventBatch) = inbox.withLockedValue { inbox in
                let events = Array(inbox.events.prefix(maximumBatch))
                inbox.events.removeFirst(events.count)
                return (events, inbox.batch)
            }
            let activity = Array(waitingActivity.prefix(maximumBatch))
            waitingActivity.removeFirst(activity.count)
            healthy = await run(batch, events, eventBatch, activity, on: connection, postgres)
            await checkpointIfDue(on: connection)
        }
    }

    /// Waits, holding the connection, until a write is queued; says whether there is one to take
    /// on it (none when the server is stopping).
    ///
    /// Under load the queues empty for a moment after most turns, while the answers go out and
    /// the next requests are read. A writer that then let go of its connection took it back from
    /// the pool for the next write, and on SQLite the pool lives on an application event loop:
    /// the write waited for that loop to finish what it was doing (reading and answering
    /// requests) and to hand the connection back to the writer's thread. Waiting here instead,
    /// the next write resumes the writer on its own thread (card benchmark on SQLite, alternating
    /// runs: see BENCHMARKS.md, "Session 34"). The pool, when it hands a connection out, checks
    /// only that it is not closed, which the writer checks before each turn.
    private func waitForWork() async -> Bool {
        guard !hasWork else { return true }
        mark("waiting for writes")
        await withCheckedContinuation { (writer: CheckedContinuation<Void, Never>) in
            let waits = inbox.withLockedValue { inbox in
                guard !hasWork(inbox), !inbox.stopping else { return false }
                inbox.idle = writer
                return true
            }
            if !waits { writer.resume() }
        }
        return hasWork
    }

    private func failWaiting(_ error: any Error) {
        for job in waiting { job.continuation.resume(throwing: error) }
        let events = inbox.withLockedValue { inbox in
            defer { inbox.events = [] }
            return inbox.events
        }
        for job in events { job.answer(.failure(error)) }
        for job in waitingActivity { job.continuation.resume(throwing: error) }
        waiting = []
        waitingActivity = []
    }

    /// The log restarts from its beginning only when a write begins with every frame of it
    /// copied back, which a checkpoint beside a busy writer never quite catches up with (see
    /// `WALCheckpointer`). So every `checkpointInterval` the writer finishes the copy itself,
    /// between two turns — no answer waits for it, and most of the log is copied already.
    private func checkpointIfDue(on connection: any Database) async {
        guard let checkpointInterval, ContinuousClock.now - lastCheckpoint >= checkpointInterval else { return }
        lastCheckpoint = .now
        do {
            try await (connection as! any SQLDatabase).raw("PRAGMA wal_checkpoint(PASSIVE)").run()
        } catch {
            logger.warning("WAL checkpoint failed: \(String(reflecting: error))")
        }
    }

    /// One turn; says whether every transaction in it committed.
    private func run(_ batch: [Job], _ events: [EventJob], _ eventBatch: EventBatch?, _ activity: [ActivityJob],
                     on connection: any Database, _ postgres: PostgresConnection?) async -> Bool {
        var healthy = true
        if !batch.isEmpty {
            mark("\(batch.count) jobs")
            healthy = await runJobs(batch, on: connection)
        }
        guard !events.isEmpty || !activity.isEmpty else { return healthy }
        // The jobs' transaction found the connection closed: the rest is not sent on it.
        if postgres?.isClosed == true { return fail(events, activity, with: NoConnection()) }
        let prepared = events.map(\.event)
        let records = activity.map(\.record)
        let activityBatch = self.activityBatch
        mark("\(events.count) device events, \(activity.count) Wi-Fi records")
        // The busy case: all device events and Wi-Fi records in one go, no savepoints; on
        // PostgreSQL, begun when the batch first needs a transaction.
        let failure: any Error
        do {
            let answers = try await transaction(on: connection, lazily: records.isEmpty) { connection, transaction in
                let answers = prepared.isEmpty ? [] : try await eventBatch!(connection, transaction, prepared)
                if !records.isEmpty { try await activityBatch!(connection, records) }
                return answers
            }
            for (job, answer) in zip(events, answers) { job.answer(.success(answer)) }
            for job in activity { job.continuation.resume() }
            return healthy
        } catch {
            failure = error
        }
        // The connection closed under the turn: nothing more can be sent on it (see
        // `postgreSQLConnection`), and whether its commit was made is not known, so each write
        // fails with the turn's error; a device sends its event again, and is answered once.
        if postgres?.isClosed == true { return fail(events, activity, with: failure) }
        // Something in it failed: most often another server took an event id or a visit first,
        // or the two servers' transactions deadlocked. Each one then gets a transaction of its
        // own (holding no other's locks while it waits) and is tried again when the database
        // says so.
        healthy = false
        mark("\(events.count) device events, \(activity.count) Wi-Fi records, one by one")
        for job in events {
            guard postgres?.isClosed != true else { job.answer(.failure(NoConnection())); continue }
            let answer = await alone(on: connection) { try await eventBatch!($0, $1, [job.event]) }
            job.answer(answer.map { ($0 as! [String])[0] })
        }
        for job in activity {
            guard postgres?.isClosed != true else { job.continuation.resume(throwing: NoConnection()); continue }
            job.continuation.resume(with: await alone(on: connection) { db, _ in try await activityBatch!(db, [job.record]) }.map { _ in () })
        }
        return healthy
    }

    /// Answers each of these writes with `error`; says the turn was not healthy.
    private func fail(_ events: [EventJob], _ activity: [ActivityJob], with error: any Error) -> Bool {
        for job in events { job.answer(.failure(error)) }
        for job in activity { job.continuation.resume(throwing: error) }
        return false
    }

    /// Admin writes: one transaction, each in a savepoint, so that one failure fails only itself.
    /// Says whether the transaction committed.
    private func runJobs(_ batch: [Job], on connection: any Database) async -> Bool {
        let bodies = batch.map(\.body)
        do {
            let results = try await transaction(on: connection) { connection, transaction in
                var results: [Result<any Sendable, any Error>] = []
                for body in bodies { results.append(try await Self.attempt(body, on: connection, transaction)) }
                return results
            }
            for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
            return true
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
            return false
        }
    }

    /// One write in a transaction of its own, begun at once.
    private func alone(on connection: any Database,
                       _ body: @escaping @Sendable (any Database, WriteTransaction) async throws -> any Sendable) async -> Result<any Sendable, any Error> {
        do {
            return .success(try await transaction(on: connection) { connection, transaction in
                try await Self.attempt({ try await body($0, transaction) }, on: connection, transaction).get()
            })
        } catch {
            return .failure(error)
        }
    }

    /// One transaction (see `Database.inWriteTransaction`), begun when the body first asks for
    /// it if `lazily`. What it changed goes to the webhook outbox inside it, and to the metrics
    /// and the events stream once it has committed.
    private func transaction<T: Sendable>(on connection: any Database, lazily: Bool = false,
                                          _ body: @escaping @Sendable (any Database, WriteTransaction) async throws -> T) async throws -> T {
        let live = self.live, outbox = self.outbox, clock = self.clock, keepsTaps = self.keepsTaps
        let step = self.step
        let (result, pending, queued, begun) = try await connection.inWriteTransaction(lazily: lazily) { db, transaction in
            try await outbox.refreshIfStale(on: db)
            // Webhook deliveries are written in the transaction of what they tell of. The
            // subscriptions change only in the writer's turns, so none can appear before `enqueue`.
            if outbox.hasSubscriptions { try await transaction.begin() }
            step.withLockedValue { $0.within = "writes" }
            let pending = PendingEvents(recording: live.listeners > 0 || outbox.hasSubscriptions, keepingTaps: keepsTaps)
            let result = try await PendingEvents.$current.withValue(pending) { try await body(db, transaction) }
            step.withLockedValue { $0.within = "webhook outbox" }
            let queued = try await outbox.enqueue(pending.events, at: clock.now(), on: db)
            step.withLockedValue { $0.within = "commit" }
            return (result, pending, queued, transaction.isBegun)
        }
        step.withLockedValue { $0.within = "committed" }
        recentTaps.remember(pending.taps.withLockedValue { $0 })
        if !begun { turnsWithoutTransaction.withLockedValue { $0 += 1 } }
        let events = pending.take()
        metrics.record(events, deviceResults: pending.deviceResults.withLockedValue { $0 })
        live.publish(events)
        if queued > 0 { outbox.wake() }
        return result
    }

    /// A unique index refused the write (someone else was first), or PostgreSQL ended a
    /// deadlock or a serialization conflict by failing this side: the same write again will see
    /// what the other side committed.
    static func isWorthRetrying(_ error: any Error) -> Bool {
        if let error = error as? any DatabaseError, error.isConstraintFailure { return true }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] { return state == "40P01" || state == "40001" }
        return false
    }

    /// One write in its savepoint, tried again (up to three times) when a unique index refuses it
    /// or the database broke a deadlock by failing it. Throws (failing the whole transaction)
    /// when its savepoint cannot be rolled back: the transaction is not what the writes after
    /// it would assume.
    private static func attempt(_ body: Body, on connection: any Database, _ transaction: WriteTransaction) async throws -> Result<any Sendable, any Error> {
        // A savepoint needs the transaction.
        try await transaction.begin()
        let sql = transaction.sql
        var tries = 0
        while true {
            let told = PendingEvents.current?.mark ?? PendingEvents.Mark()
            do {
                try await sql.raw("SAVEPOINT ledger_write").run()
                let value = try await body(connection)
                try await sql.raw("RELEASE SAVEPOINT ledger_write").run()
                return .success(value)
            } catch {
                PendingEvents.current?.undo(to: told)
                // A closed connection would never answer the rollback; the transaction is over.
                if await connection.isClosedPostgreSQLConnection() { throw error }
                try await sql.raw("ROLLBACK TO SAVEPOINT ledger_write").run()
                try await sql.raw("RELEASE SAVEPOINT ledger_write").run()
                if Self.isWorthRetrying(error), tries < 3 {
                    tries += 1
                    continue
                }
                return .failure(error)
            }
        }
    }
}
