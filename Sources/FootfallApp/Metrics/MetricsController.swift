import Fluent
import Vapor

/// `GET /metrics`: Prometheus text. Open, unless `FOOTFALL_METRICS_TOKEN` is set: then only
/// with that value as the bearer token.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    func metrics(request: Request) async throws -> Response {
        if let token = request.application.settings.metricsToken {
            guard let given = request.headers.bearerAuthorization?.token, SecretToken.constantTimeEquals(given, token) else {
                throw APIError.unauthorized
            }
        }
        let response = Response(status: .ok, body: .init(string: request.ledger.metrics.exposition()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return response
    }
}

/// Counts every HTTP request by method and status, and how long it took to answer.
struct HTTPMetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next.respond(to: request)
            request.ledger.metrics.http(method: request.method.rawValue, status: Int(response.status.code), duration: .now - start)
            return response
        } catch {
            let status = (error as? any AbortError)?.status ?? .internalServerError
            request.ledger.metrics.http(method: request.method.rawValue, status: Int(status.code), duration: .now - start)
            throw error
        }
    }
}

extension Ledger {
    /// Sets the people-in gauges from the database: at start-up, and at each sweep (which also
    /// takes in what other servers sharing the database have changed).
    func countPeopleIn() async throws {
        var counts: [UUID: Int] = [:]
        for location in try await LocationModel.query(on: database).all() { counts[location.id!] = 0 }
        for visit in try await CheckInModel.query(on: database).filter(\.$checkedOutAt == nil).all(\.$locationId) {
            counts[visit, default: 0] += 1
        }
        metrics.setPeopleIn(counts)
    }
}

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
