import Fluent
import FootfallCore
import Vapor

/// Door systems' unlock webhooks, signed with the door device's key: Footfall's own format
/// (`/integrations/doors/{deviceId}`) and Kisi's (`/integrations/kisi/{deviceId}`). The door
/// decides whether it opens; Footfall records the check-in, check-out or failed check-in.
struct DoorWebhooksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let integrations = routes.grouped("integrations")
        integrations.post("doors", ":deviceId", use: generic)
        integrations.post("kisi", ":deviceId", use: kisi)
    }

    func generic(request: Request) async throws -> Response {
        let (device, key, body) = try await APIError.beforeAnyWrite(logger: request.logger) { try await signed(request) }
        try WebhookSignature.checkFootfall(request.headers.first(name: "Footfall-Signature"), body: body, key: key, now: request.clock.now())
        let event = try RFC3339.jsonDecoder().decode(DoorEventInput.self, from: body).validated()
        return try await record(event, from: device, request)
    }

    func kisi(request: Request) async throws -> Response {
        let (device, key, body) = try await APIError.beforeAnyWrite(logger: request.logger) { try await signed(request) }
        try WebhookSignature.checkKisi(request.headers.first(name: "X-Signature"), body: body, key: key)
        let input = try RFC3339.jsonDecoder().decode(KisiEventInput.self, from: body)
        guard let event = try input.validated() else {
            request.logger.debug("kisi event \(input.type) (success: \(input.success.map(String.init) ?? "-")) ignored")
            return Self.ignored()
        }
        return try await record(event, from: device, request)
    }

    /// The door device named in the path with its signing key, and the raw body the signature
    /// covers. A device that is not a door answers as a wrong signature does; a kiosk's or
    /// reader's key sent as a bearer token is a valid key in the wrong place (403). Only reads:
    /// its callers answer 503 when the database is out of reach (`beforeAnyWrite`).
    private func signed(_ request: Request) async throws -> (DeviceModel, String, Data) {
        if let token = request.headers.bearerAuthorization?.token, !token.isEmpty,
           let holder = try await DeviceModel.query(on: request.db).filter(\.$keyHash == SecretToken.digest(token)).first(),
           DeviceKind(rawValue: holder.kind)?.postsDeviceEvents == true {
            throw APIError.forbidden
        }
        guard let id = request.parameters.get("deviceId").flatMap(UUID.init(uuidString:)),
              let device = try await DeviceModel.find(id, on: request.db),
              device.kind == DeviceKind.door.rawValue, let key = device.signingKey?.value
        else { throw APIError.invalidSignature("No door device with that id has signed this request.") }
        let body = request.body.data.map { Data($0.readableBytesView) } ?? Data()
        return (device, key, body)
    }

    private func record(_ event: DoorEvent, from device: DeviceModel, _ request: Request) async throws -> Response {
        guard let direction = device.doors?[event.doorId].flatMap(Direction.init(rawValue:)) else {
            request.logger.notice("door event \(event.eventId) from device \(device.id?.uuidString ?? "") for unmapped door \(event.doorId): ignored")
            return Self.ignored()
        }
        let at = try CheckInsController.time(event.occurredAt, field: "occurredAt", now: request.clock.now())
        let unlock = DoorUnlock(system: event.user.system, externalId: event.user.externalId, email: event.user.email, direction: direction)
        let answer = try await request.ledger.record(DeviceEvent(device: device, eventId: event.eventId, type: .door,
                                                                 value: event.user.presented, at: at,
                                                                 stamped: true, door: unlock), on: request.eventLoop).get()
        return Response(json: answer)
    }

    private static func ignored() -> Response {
        Response(json: DeviceEventAnswer(result: .ignored).json)
    }
}

extension Response {
    /// 200 with a JSON text made already.
    convenience init(json: String) {
        self.init(status: .ok, body: .init(string: json))
        headers.contentType = .json
    }
}
