import Vapor

/// Delivers webhooks while the server runs: whatever is due at start-up (deliveries left
/// pending before a restart resume at their due times), then as turns commit new ones, and at
/// least every second for retries coming due.
struct WebhookDelivery: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        let deliverer = application.webhookDeliverer, outbox = application.ledger.outbox, logger = application.logger
        let task = Task.detached {
            do {
                try await deliverer.letGoOfHoldsLeftBehind()
            } catch {
                logger.error("webhook: could not let go of the holds a stopped server left: \(String(reflecting: error))")
            }
            while !Task.isCancelled {
                do {
                    if try await deliverer.deliverDue() == 0 { await outbox.waitForDeliveries(timeout: .seconds(1)) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("webhook deliveries failed, trying again in 5 s: \(String(reflecting: error))")
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
        application.storage[TaskKey.self] = task
    }

    func shutdownAsync(_ application: Application) async {
        application.ledger.outbox.wake()
        await application.storage[TaskKey.self]?.stop()
    }

    private struct TaskKey: StorageKey { typealias Value = Task<Void, Never> }
}

/// Closes the deliverer's HTTP client when the application stops.
struct WebhookClientShutdown: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        try? await application.webhookDeliverer.client.shutdown()
    }
}

extension Application {
    private struct DelivererKey: StorageKey { typealias Value = WebhookDeliverer }

    var webhookDeliverer: WebhookDeliverer {
        get { storage[DelivererKey.self]! }
        set { storage[DelivererKey.self] = newValue }
    }
}
