import Vapor

/// `GET /api/v1/events/stream`: Server-Sent Events `check_in`, `check_out` and
/// `failed_check_in`, each with the JSON object, as the ledger commits them on this server; a
/// comment line every 15 seconds keeps the connection open. A stream the admin panel opened with
/// its session ends when the session does (sign-out or expiry).
struct EventStreamController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", "stream", use: stream)
    }

    func stream(request: Request) async throws -> Response {
        // A stream opened with the admin panel's cookie lives only as long as its session.
        let session = request.headers.bearerAuthorization == nil ? try await AdminSessions.current(request)?.session : nil
        let app = request.application
        let events = request.ledger.live.subscribe()
        // Managed: the stream is ended properly whether the listener leaves or the server stops.
        let response = Response(status: .ok, body: .init(managedAsyncStream: { writer in
            // Something at once, so that the client knows it is connected.
            try await writer.write(.buffer(ByteBuffer(string: ": connected\nretry: 3000\n\n")))
            var checked = ContinuousClock.now
            for await event in events {
                // Signed out or expired: checked at each heartbeat, and with events at most once a second.
                if let session, event.name == nil || ContinuousClock.now - checked >= .seconds(1) {
                    checked = .now
                    guard try await AdminSessions.isLive(session, app) else { return }
                }
                let text = event.name.map { "event: \($0)\ndata: \(event.json)\n\n" } ?? ": heartbeat\n\n"
                try await writer.write(.buffer(ByteBuffer(string: text)))
            }
        }))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "event-stream")
        response.headers.cacheControl = .init(noCache: true)
        response.headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        return response
    }
}
