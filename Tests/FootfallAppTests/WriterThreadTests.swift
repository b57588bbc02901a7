@testable import FootfallApp
import Foundation
#if os(Linux)
import Glibc
#endif
import NIOConcurrencyHelpers
import SQLKit
import Testing

@Suite("The ledger's writer keeps to its one thread")
struct WriterThreadTests {
    /// A job, the statements it runs and the rows they read all run on the writer's thread, and
    /// the job resumes there after each statement: nothing waits for a request-handling loop to
    /// pass an answer back (see `WriterThread`). On SQLite this holds because SQLKit's async
    /// calls reach SQLiteNIO's async query, which runs on the connection's pool (the writer's
    /// thread) and resumes the job without going through the connection's event loop.
    @Test func aJobsStatementsAndRowsRunOnTheWritersThread() async throws {
        try await withFootfall { api in
            let (job, rows, resumed) = try await api.app.ledger.writer.perform { db in
                let job = pthread_self()
                let rows = NIOLockedValueBox<[pthread_t]>([])
                try await (db as! any SQLDatabase).raw("SELECT 1 AS one UNION ALL SELECT 2").run { _ in
                    rows.withLockedValue { $0.append(pthread_self()) }
                }
                return (job, rows.withLockedValue { $0 }, pthread_self())
            }
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { pthread_equal($0, job) != 0 })
            #expect(pthread_equal(resumed, job) != 0, "the job resumed on another thread after its statement")
        }
    }

    /// The writer's thread goes by its own name, where `top -H` and `scripts/bench` find it.
    @Test func theWritersThreadIsNamed() async throws {
        try await withFootfall { api in
            let name = try await api.app.ledger.writer.perform { _ in
                try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            }
            #expect(name == "ledger-writer\n")
        }
    }
}
