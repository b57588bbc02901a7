import Vapor

/// `GET /api/v1/events/stream`: Server-Sent Events `check_in`, `check_out` and
/// `failed_check_in`, each with the JSON object, as the ledger commits them on this server; a
/// comment line every 15 seconds keeps the connection open.
struct EventStreamController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", "stream", use: stream)
    }

    func stream(request: Request) async throws -> Response {
        let events = request.ledger.live.subscribe()
        // Managed: the stream is ended properly whether the listener leaves or the server stops.
        let response = Response(status: .ok, body: .init(managedAsyncStream: { writer in
            // Something at once, so that the client knows it is connected.
            try await writer.write(.buffer(ByteBuffer(string: ": connected\nretry: 3000\n\n")))
            for await event in events {
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
