import Fluent
import Vapor

/// `/webhooks`: subscriptions, their deliveries, sending one again, and a ping.
struct WebhooksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let webhooks = routes.grouped("webhooks")
        webhooks.post(use: create)
        webhooks.get(use: list)
        webhooks.get(":webhookId", use: show)
        webhooks.patch(":webhookId", use: update)
        webhooks.delete(":webhookId", use: delete)
        webhooks.get(":webhookId", "deliveries", use: deliveries)
        webhooks.post(":webhookId", "deliveries", ":deliveryId", "redeliver", use: redeliver)
        webhooks.post(":webhookId", "ping", use: ping)
    }

    func create(request: Request) async throws -> Response {
        let (model, secret) = try await Self.create(request.decodeJSONBody(WebhookInput.self), for: request)
        var dto = WebhookDTO(model)
        dto.secret = secret
        return try dto.response(status: .created)
    }

    /// What the API and the admin panel's form both do; the secret is in the answer only.
    static func create(_ input: WebhookInput, for request: Request) async throws -> (WebhookModel, String) {
        let model = WebhookModel()
        model.id = .timeOrdered()
        model.secret = StoredSecret(StandardWebhooks.makeSecret())
        model.active = true
        try await input.apply(to: model, creating: true, knownLocations: try await knownLocations(on: request.db))
        try await request.ledger.write { try await model.create(on: $0) }
        request.ledger.outbox.invalidate()
        request.logger.notice("webhook subscribed", metadata: ["webhook": .string(model.id!.uuidString), "by": .string(request.adminName)])
        return (model, model.secret.value)
    }

    /// Stores a changed subscription; the outbox reads subscriptions again, the deliverer looks again.
    static func save(_ model: WebhookModel, for request: Request) async throws {
        try await sendSoon(model, for: request) { try await model.update(on: $0) }
        request.ledger.outbox.invalidate()
    }

    /// Writes `change` (through the ledger's writer, as every write the deliverer makes), and
    /// the endpoint's pause after a failure is over with it; the deliverer looks at once: what
    /// an operator changed, sent again or pinged goes now. `change` comes last in the job: the
    /// writer may run a job again, and a model Fluent has saved once would not be saved again.
    private static func sendSoon(_ hook: WebhookModel, for request: Request,
                                 after change: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let id = try hook.requireID()
        try await request.ledger.write { db in
            try await WebhookDeliverer.endPause(of: id, on: db)
            try await change(db)
        }
        request.ledger.outbox.wake()
    }

    func list(request: Request) async throws -> Page<WebhookDTO> {
        let page = try await PageRequest(request).fetch(WebhookModel.query(on: request.db).sort(\.$createdAt).sort(\.$id))
        return Page(items: page.rows.map(WebhookDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> WebhookDTO { WebhookDTO(try await Self.find(request)) }

    func update(request: Request) async throws -> WebhookDTO {
        let model = try await Self.find(request)
        try await request.decodeJSONBody(WebhookInput.self).apply(to: model, creating: false, knownLocations: try await knownLocations(on: request.db))
        try await Self.save(model, for: request)
        return WebhookDTO(model)
    }

    func delete(request: Request) async throws -> HTTPStatus {
        let model = try await Self.find(request)
        let id = try model.requireID()
        let outbox = request.ledger.outbox
        try await request.ledger.write { db in
            try await WebhookDeliveryModel.query(on: db).filter(\.$webhookId == id).delete()
            try await model.delete(on: db)
            // Events committed with this job get no delivery for it.
            outbox.forget(id)
        }
        return .noContent
    }

    /// Newest first.
    func deliveries(request: Request) async throws -> Page<DeliveryDTO> {
        let hook = try await Self.find(request)
        let query = WebhookDeliveryModel.query(on: request.db).filter(\.$webhookId == (try hook.requireID()))
            .sort(\.$createdAt, .descending).sort(\.$id, .descending)
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(DeliveryDTO.init), nextCursor: page.nextCursor)
    }

    /// Sends a delivery again (whatever became of it), now, with the same `webhook-id`.
    func redeliver(request: Request) async throws -> HTTPStatus {
        try await Self.redeliver(hook: Self.find(request), deliveryId: Check.uuid(request, "deliveryId"), for: request)
        return .accepted
    }

    static func redeliver(hook: WebhookModel, deliveryId: UUID, for request: Request) async throws {
        guard let delivery = try await WebhookDeliveryModel.find(deliveryId, on: request.db), delivery.webhookId == hook.id else {
            throw APIError.notFound("delivery")
        }
        delivery.status = DeliveryStatus.pending.rawValue
        delivery.nextAttemptAt = request.clock.now()
        delivery.deliveredAt = nil
        try await sendSoon(hook, for: request) { try await delivery.update(on: $0) }
    }

    /// A `ping` event to this endpoint, to see that it answers.
    func ping(request: Request) async throws -> HTTPStatus {
        try await Self.ping(Self.find(request), for: request)
        return .accepted
    }

    static func ping(_ hook: WebhookModel, for request: Request) async throws {
        let now = request.clock.now()
        let delivery = WebhookDeliveryModel()
        delivery.id = .timeOrdered()
        delivery.webhookId = try hook.requireID()
        delivery.messageId = WebhookOutbox.messageId(delivery.id!)
        delivery.type = "ping"
        var data = JSONText()
        data.object { $0.member("webhookId", hook.id) }
        delivery.body = WebhookOutbox.body(type: "ping", timestamp: RFC3339.format(now), data: data.text, customer: nil)
        delivery.status = DeliveryStatus.pending.rawValue
        delivery.attempts = 0
        delivery.nextAttemptAt = now
        delivery.createdAt = now
        try await sendSoon(hook, for: request) { try await delivery.create(on: $0) }
    }

    static func find(_ request: Request) async throws -> WebhookModel {
        guard let model = try await WebhookModel.fetch(Check.uuid(request, "webhookId"), on: request.db) else { throw APIError.notFound("webhook") }
        return model
    }
}

/// The events an endpoint can subscribe to.
enum WebhookEvent: String, CaseIterable { case checkIn = "check_in", checkOut = "check_out", failedCheckIn = "failed_check_in", charge }

struct WebhookInput: Decodable, Sendable {
    var url: String?
    var events: [String]?
    var locationIds: [UUID]?
    var description: Patch<String>
    var active: Bool?

    enum CodingKeys: String, CodingKey { case url, events, locationIds, description, active }

    init(url: String?, events: [String]?, locationIds: [UUID]?, description: Patch<String>, active: Bool?) {
        self.url = url
        self.events = events
        self.locationIds = locationIds
        self.description = description
        self.active = active
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeUnlessAbsent(String.self, forKey: .url)
        events = try container.decodeUnlessAbsent([String].self, forKey: .events)
        locationIds = try container.decodeUnlessAbsent([UUID].self, forKey: .locationIds)
        description = try container.decodePatch(String.self, forKey: .description)
        active = try container.decodeUnlessAbsent(Bool.self, forKey: .active)
    }

    func apply(to model: WebhookModel, creating: Bool, knownLocations: Set<UUID>) throws {
        if creating, url == nil { throw APIError.invalidRequest(field: "url", detail: "is required.") }
        if creating, events == nil { throw APIError.invalidRequest(field: "events", detail: "is required.") }
        if let url {
            let trimmed = url.trimmingCharacters(in: .whitespaces)
            guard trimmed.count <= 2000, let parsed = URL(string: trimmed), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                  let host = parsed.host, !host.isEmpty
            else { throw APIError.invalidRequest(field: "url", detail: "must be an http or https URL.") }
            model.url = trimmed
        }
        if let events {
            guard !events.isEmpty else { throw APIError.invalidRequest(field: "events", detail: "must name at least one event.") }
            if let unknown = events.first(where: { WebhookEvent(rawValue: $0) == nil }) {
                throw APIError.invalidRequest(field: "events", detail: "\(unknown) is not one of check_in, check_out, failed_check_in, charge.")
            }
            model.events = Array(Set(events)).sorted()
        }
        if let locationIds {
            if let unknown = locationIds.first(where: { !knownLocations.contains($0) }) {
                throw APIError.invalidRequest(field: "locationIds", detail: "no location \(unknown).")
            }
            model.locationIds = Array(Set(locationIds)).sorted { $0.uuidString < $1.uuidString }
        } else if creating {
            model.locationIds = []
        }
        if case .value(let text) = description { _ = try Check.nonEmpty(text, "description") }
        model.description = description.applied(to: model.description).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let active { model.active = active }
    }
}

struct WebhookDTO: WireObject {
    var id: UUID
    var url: String
    var events: [String]
    var locationIds: [UUID]
    var description: String?
    var active: Bool
    var createdAt: Date?
    /// Only in the answer to its creation.
    var secret: String?

    init(_ model: WebhookModel) {
        id = model.id!
        url = model.url
        events = model.events
        locationIds = model.locationIds
        description = model.description
        active = model.active
        createdAt = model.createdAt
    }

    /// Without `secret` unless it is there (the key is not in other answers at all).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WireKey.self)
        try container.encode(id, forKey: WireKey(stringValue: "id"))
        try container.encode(url, forKey: WireKey(stringValue: "url"))
        try container.encode(events, forKey: WireKey(stringValue: "events"))
        try container.encode(locationIds, forKey: WireKey(stringValue: "locationIds"))
        try container.encode(description, forKey: WireKey(stringValue: "description"))
        try container.encode(active, forKey: WireKey(stringValue: "active"))
        try container.encode(createdAt, forKey: WireKey(stringValue: "createdAt"))
        if let secret { try container.encode(secret, forKey: WireKey(stringValue: "secret")) }
    }
}

struct DeliveryDTO: WireObject {
    var id: UUID
    /// The `webhook-id` header it is sent with.
    var webhookId: String
    var type: String
    var status: String
    var attempts: Int
    var lastResponseStatus: Int?
    var lastError: String?
    var nextAttemptAt: Date?
    var createdAt: Date
    var deliveredAt: Date?

    init(_ model: WebhookDeliveryModel) {
        id = model.id!
        webhookId = model.messageId
        type = model.type
        status = model.status
        attempts = model.attempts
        lastResponseStatus = model.lastResponseStatus
        lastError = model.lastError
        // While claimed, the due time is the claim's; pending shows when it is next tried.
        nextAttemptAt = model.status == DeliveryStatus.pending.rawValue ? model.nextAttemptAt : nil
        createdAt = model.createdAt
        deliveredAt = model.deliveredAt
    }
}
