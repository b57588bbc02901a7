import Foundation
import Vapor

/// Closes visits at their cut-off or time limit while the server runs. It sweeps once at
/// start-up, which closes what fell due while the server was down at the times it fell due,
/// then sleeps until the next visit is due (or `sweepInterval` at most).
struct Sweeper: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        let ledger = application.ledger
        let interval = application.settings.sweepInterval
        let clock = application.settings.clock
        let logger = application.logger
        try await ledger.sweep()
        let task = Task.detached {
            while !Task.isCancelled {
                do {
                    let next = try await ledger.nextClosing()
                    let wait = min(interval, max(0.05, (next?.timeIntervalSince(clock.now()) ?? interval) + 0.01))
                    try await Task.sleep(for: .seconds(wait))
                    try await ledger.sweep()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("sweep failed: \(String(reflecting: error))")
                    try? await Task.sleep(for: .seconds(interval))
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
