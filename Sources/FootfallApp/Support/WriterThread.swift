import Fluent
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
/// thread, so a query is queued, run and resumed without waking anyone. PostgreSQL answers
/// arrive on event loops and resume here as they would on the shared executor.
final class WriterThread: SerialExecutor, TaskExecutor {
    /// The thread, as SQLiteNIO takes one (see `Databases(threadPool:on:)`).
    let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pool.submit { _ in
            // Also when the pool is shutting down: a job left unrun would leave its task waiting forever.
            job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// The ledger writer's database, on its own `Databases` whose thread pool is the writer's thread;
/// closed, and the thread stopped, when the application shuts down.
struct WriterDatabase: LifecycleHandler {
    let thread = WriterThread()
    let databases: Databases

    init(_ configuration: DatabaseConfigurationFactory, on group: any EventLoopGroup) {
        databases = Databases(threadPool: thread.pool, on: group)
        databases.use(configuration, as: .ledger, isDefault: true)
    }

    func database(logger: Logger) -> any Database {
        databases.database(.ledger, logger: logger, on: databases.eventLoopGroup.any())!
    }

    func shutdownAsync(_ application: Application) async {
        await application.configuredLedger?.writer.finish()
        await databases.shutdownAsync()
        try? await thread.pool.shutdownGracefully()
    }
}
