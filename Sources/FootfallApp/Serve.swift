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
    // shutdown would wait for their listeners to leave.
    app.ledger.live.finish()
}

extension Settings {
    public var baseURLForDisplay: String { baseURL }
}
