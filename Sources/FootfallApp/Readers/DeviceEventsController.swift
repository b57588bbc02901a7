import Vapor

/// `POST /api/v1/devices/{deviceId}/events`: card reads, PINs and member codes from kiosks and readers.
struct DeviceEventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("devices", ":deviceId", "events").grouped(DeviceAuth()).post(use: record)
    }

    func record(request: Request) async throws -> Response {
        let input = try request.decodeJSONBody(DeviceEventInput.self)
        let (eventId, type, value) = try input.validated()
        let at = try CheckInsController.time(input.at, field: "at", now: request.clock.now())
        let answer = try await request.ledger.record(DeviceEvent(device: try request.device, eventId: eventId, type: type, value: value, at: at,
                                                                       stamped: input.at != nil))
        return Response(json: answer)
    }
}
