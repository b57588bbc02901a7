import Fluent
import Vapor

/// Runs the configured application until it is told to stop (SIGINT or SIGTERM): the HTTP
/// server and the sweeper.
public func serve(_ app: Application) async throws {
    app.lifecycle.use(Sweeper())
    app.lifecycle.use(WebhookDelivery())
    if let days = app.settings.retainDays { app.lifecycle.use(RetentionKeeper(days: days)) }
    if let ports = app.settings.radius {
        app.lifecycle.use(RADIUSLifecycle(host: app.settings.hostname, ports: ports))
    }
    app.environment.arguments = ["footfall", "serve"]
    try await app.startup()
    try await app.running?.onStop.get()
    // Stopping (SIGINT or SIGTERM): end the event streams first, or the server's graceful
    // shutdown would wait for their listeners to leave. Then stop taking requests and let those
    // in flight be answered, before the lifecycle handlers stop the ledger's writer (Vapor stops
    // the HTTP server only after them): a device event taken after the writer has finished would
    // find its database closed.
    app.ledger.live.finish()
    await app.server.shutdown()
}

extension Settings {
    public var baseURLForDisplay: String { baseURL }
}
