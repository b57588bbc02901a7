import Fluent
#if os(Linux)
import Glibc
#endif
import NIOPosix
import Vapor

/// One thread for the ledger's writer: its actor, its turns and, on SQLite, every call into its
/// connection.
///
/// A turn is a handful of queries one after the other. With the writer on Swift's shared
/// executor and its SQLite calls on the thread pool, each query crossed threads twice — to a
/// pool thread and back to whichever shared thread was free, often behind request handlers —
/// and a turn of a few milliseconds spent about half of it waiting for those hand-overs
/// (measured: `BEGIN IMMEDIATE`, which does nothing, took 0.4 ms a turn under the card
/// benchmark). Here the writer's jobs and its connection's calls queue on the same single
/// thread, so a query is queued, run and resumed without waking anyone.
///
/// On PostgreSQL the thread is an event loop of its own instead, the one the writer's connection
/// lives on: each answer is read, and the writer resumed, by the thread that sent the query. On
/// the application's event loops an answer waited for the loop to finish what it was doing
/// (parsing requests, writing responses) and then crossed to the writer's thread: a round trip
/// the writer makes several times a turn (measured under `scripts/bench postgres`'s card load, in
/// alternating runs: 1,007–1,290 events/s before, 1,442–1,465 after; a BEGIN 0.8–1.7 ms, then 0.5–0.8).
final class WriterThread: SerialExecutor, TaskExecutor {
    /// The thread, as SQLiteNIO takes one (see `Databases(threadPool:on:)`).
    let pool: NIOThreadPool
    /// PostgreSQL: the writer's event loop, which runs the writer's jobs instead of the pool.
    let loop: MultiThreadedEventLoopGroup?

    init(eventLoop: Bool) {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        loop = eventLoop ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        if let loop { loop.next().execute(Self.name) } else { pool.submit { _ in Self.name() } }
    }

    /// What the writer's thread is called (`top -H`, `/proc/<pid>/task/*/comm`, and `scripts/bench`,
    /// which reports its CPU per event): the pools' own names (`TP-#0`) repeat across pools.
    static let threadName = "ledger-writer"

    /// Names the calling thread (Linux: its `comm`, which Glibc's Swift module gives no call for).
    private static func name() {
        #if os(Linux)
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        _ = threadName.utf8CString.withUnsafeBufferPointer { write(file, $0.baseAddress, $0.count - 1) }
        close(file)
        #endif
    }

    /// The nice value the writer's thread asks for (see `favour()`).
    static let favouredNice: Int32 = -10

    /// `SCHED_RESET_ON_FORK` (`<bits/sched.h>`) and `RLIMIT_NICE` (`<bits/resource.h>`), which
    /// Glibc's Swift module does not carry.
    private static let resetOnFork: Int32 = 0x4000_0000
    private static let niceLimit: UInt32 = 13

    /// Puts the writer's thread ahead of the server's other threads (and other programs) when
    /// the cores are busy. Every device's answer waits for the writer's turn, and the writer is
    /// one thread: under the card benchmark on two cores it spent about a third of its busy
    /// time waiting for a core behind request handlers (`/proc/…/schedstat`), while each of
    /// them, in parallel, only delays its own request. A lower nice value needs `CAP_SYS_NICE`
    /// or a `RLIMIT_NICE` that allows it (systemd: `LimitNICE=`); without either, the lowest the
    /// limit allows, else none. Linux keeps nice values per thread, and a new thread starts with
    /// its creator's: libdispatch starts Swift's shared workers from whichever thread hands them
    /// work, the writer's too, so the writer's thread first asks for `SCHED_RESET_ON_FORK`, and
    /// threads it starts begin at nice 0. Returns the thread's nice value.
    func favour() async -> Int32 {
        #if os(Linux)
        let favour: @Sendable () -> Int32 = {
            var parameters = sched_param(sched_priority: 0)
            guard sched_setscheduler(0, Int32(SCHED_OTHER) | Self.resetOnFork, &parameters) == 0 else {
                return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            }
            var limit = rlimit()
            // The lowest nice value allowed without CAP_SYS_NICE is 20 - RLIMIT_NICE.
            let allowed = getrlimit(__rlimit_resource_t(Self.niceLimit), &limit) == 0 ? 20 - Int32(clamping: limit.rlim_cur) : 20
            for nice in [Self.favouredNice, max(Self.favouredNice, allowed)] where nice < 0 {
                if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0 { return nice }
            }
            return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }
        if let loop { return (try? await loop.next().submit(favour).get()) ?? 0 }
        return (try? await pool.runIfActive(favour)) ?? 0
        #else
        return 0
        #endif
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let run = { job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor()) }
        if let loop {
            loop.next().execute(run)
        } else {
            // Also when the pool is shutting down: a job left unrun would leave its task waiting forever.
            pool.submit { _ in run() }
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// The ledger writer's database, on its own `Databases` whose thread pool (SQLite) or event loop
/// (PostgreSQL) is the writer's thread; closed, and the thread stopped, when the application
/// shuts down.
struct WriterDatabase: LifecycleHandler {
    let thread: WriterThread
    let databases: Databases

    init(_ configuration: DatabaseConfigurationFactory, postgres: Bool, on group: any EventLoopGroup) {
        thread = WriterThread(eventLoop: postgres)
        databases = Databases(threadPool: thread.pool, on: thread.loop ?? group)
        databases.use(configuration, as: .ledger, isDefault: true)
    }

    func database(logger: Logger) -> any Database {
        databases.database(.ledger, logger: logger, on: databases.eventLoopGroup.any())!
    }

    func shutdownAsync(_ application: Application) async {
        await application.configuredLedger?.writer.finish()
        await databases.shutdownAsync()
        try? await thread.pool.shutdownGracefully()
        try? await thread.loop?.shutdownGracefully()
    }
}
