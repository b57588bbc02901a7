import Vapor

/// `POST /api/v1/devices/{deviceId}/events`: card reads, PINs and member codes from kiosks and readers.
///
/// A plain (not `async`) route, like its `DeviceAuth`: the request stays on its event loop until
/// the ledger's writer takes the event, and the writer's answer completes it there (see
/// `Ledger.record(_:on:)`).
struct DeviceEventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("devices", ":deviceId", "events").grouped(DeviceAuth()).post(use: record)
    }

    func record(request: Request) throws -> EventLoopFuture<Response> {
        let input = try request.decodeJSONBody(DeviceEventInput.self, readingDirectly: DeviceEventInput.init(plainJSON:))
        let (eventId, type, value) = try input.validated()
        let at = try CheckInsController.time(input.at, field: "at", now: request.clock.now())
        let event = DeviceEvent(device: try request.device, eventId: eventId, type: type, value: value, at: at, stamped: input.at != nil)
        return request.ledger.record(event, on: request.eventLoop).map { Response(json: $0) }
    }
}
