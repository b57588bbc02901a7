import AsyncHTTPClient
import Crypto
import Fluent
import FootfallCore
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Vapor

/// Sends what the outbox holds: due deliveries are claimed (several servers on one PostgreSQL
/// share the outbox, each claim skipping what another holds), sent signed by the Standard
/// Webhooks scheme, and marked delivered, retried later, or failed. Each endpoint's deliveries go
/// one after another, in the order of their events; endpoints are served side by side, a few at
/// a time, so a slow one holds up neither the others nor the ledger.
final class WebhookDeliverer: Sendable {
    /// After the first try, the next ones come this long after the one before (API.md); then the
    /// delivery has failed.
    static let retryDelays: [TimeInterval] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
    /// How long an endpoint has to answer.
    static let timeout: TimeAmount = .seconds(10)
    /// At most this many deliveries are claimed at once.
    static let claimedAtOnce = 16
    /// A claim holds this long, and is renewed for what an endpoint still has to send before each
    /// send (which takes the timeout at most): another server never takes a delivery still being
    /// sent, and one claimed by a server that was killed is free again half a minute later.
    static let claim: TimeInterval = 30
    static let endpointsAtOnce = 8

    private let database: any Database
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: FootfallMetrics
    private let outbox: WebhookOutbox
    let client: HTTPClient

    init(database: any Database, clock: any WallClock, logger: Logger, metrics: FootfallMetrics, outbox: WebhookOutbox,
         eventLoopGroup: any EventLoopGroup) {
        self.database = database
        self.outbox = outbox
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: Self.timeout, read: Self.timeout))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
    }

    private struct Claimed: Sendable {
        var id: UUID
        var webhookId: UUID
        var messageId: String
        var body: String
        var attempts: Int
    }

    /// Sends every delivery due now (as many rounds as it takes); says how many tries it made.
    @discardableResult
    func deliverDue() async throws -> Int {
        var tries = 0
        // A server stopping claims nothing more; what it holds is handed back (see `send`).
        while !Task.isCancelled {
            let claimed = try await claim()
            guard !claimed.isEmpty else { break }
            tries += claimed.count
            let hooks = try await WebhookModel.query(on: database).filter(\.$id ~~ Array(Set(claimed.map(\.webhookId)))).all()
                .reduce(into: [UUID: WebhookModel]()) { $0[$1.id!] = $1 }
            let byEndpoint = Dictionary(grouping: claimed, by: \.webhookId)
            for round in Array(byEndpoint).chunks(ofCount: Self.endpointsAtOnce) {
                await withTaskGroup(of: Void.self) { group in
                    for (webhookId, deliveries) in round {
                        guard let hook = hooks[webhookId] else { continue }
                        group.addTask { await self.send(deliveries, to: hook) }
                    }
                }
            }
        }
        try await updateBacklog()
        return tries
    }

    /// Takes due deliveries of active endpoints, oldest first, moving their due time past the
    /// claim so that no other server takes them meanwhile.
    private func claim() async throws -> [Claimed] {
        let now = clock.now()
        let sql = database as! any SQLDatabase
        // Most calls find nothing due: a read through the index, no write (on SQLite a write
        // would wait for the ledger's writer).
        let due = try await sql.raw("""
            SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: now) LIMIT 1
            """).first()
        guard due != nil else { return [] }
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE OF d SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE webhook_deliveries SET next_attempt_at = \(bind: now + Self.claim)
            WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                         WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND w.active = \(bind: true)
                         ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT \(unsafeRaw: String(Self.claimedAtOnce))\(skipLocked))
            RETURNING id, webhook_id, message_id, body, attempts, created_at
            """).all()
        return try rows.map { row in
            Claimed(id: try row.decode(column: "id", as: UUID.self), webhookId: try row.decode(column: "webhook_id", as: UUID.self),
                    messageId: try row.decode(column: "message_id", as: String.self), body: try row.decode(column: "body", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self))
        }.sorted { $0.messageId < $1.messageId }  // time-ordered ids: the order of the events
    }

    /// One endpoint's deliveries, in order; stops at a 410 (the endpoint is switched off).
    private func send(_ deliveries: [Claimed], to hook: WebhookModel) async {
        for (index, delivery) in deliveries.enumerated() {
            let now = clock.now()
            let rest = deliveries[index...].map(\.id)
            if Task.isCancelled {
                // Stopping: the rest are handed back as they were, due now, no try counted.
                try? await WebhookDeliveryModel.query(on: database).filter(\.$id ~~ rest).set(\.$nextAttemptAt, to: now).update()
                return
            }
            // The claim renewed for what is left: this send and the ones after it.
            try? await WebhookDeliveryModel.query(on: database).filter(\.$id ~~ rest)
                .filter(\.$status == DeliveryStatus.pending.rawValue).set(\.$nextAttemptAt, to: now + Self.claim).update()
            let outcome = await attempt(delivery, to: hook, at: now)
            do {
                try await record(delivery, outcome, at: now, hook: hook)
            } catch {
                logger.error("webhook: could not record a delivery's outcome: \(String(reflecting: error))")
            }
            if case .interrupted = outcome {
                let rest = deliveries[index...].map(\.id)
                try? await WebhookDeliveryModel.query(on: database).filter(\.$id ~~ rest).set(\.$nextAttemptAt, to: now).update()
                return
            }
            if case .gone = outcome {
                // The rest wait, pending, until the endpoint is switched on again.
                let rest = deliveries[(index + 1)...].map(\.id)
                try? await WebhookDeliveryModel.query(on: database).filter(\.$id ~~ rest).set(\.$nextAttemptAt, to: now).update()
                return
            }
        }
    }

    private enum Outcome {
        case delivered(Int)
        case gone
        case refused(status: Int?, error: String)
        /// The server is stopping: not a try.
        case interrupted
    }

    private func attempt(_ delivery: Claimed, to hook: WebhookModel, at now: Date) async -> Outcome {
        // The time of this very request, on the system's clock, as the receiver checks it against
        // its own (Standard Webhooks allows five minutes either way); when it is due is the
        // ledger's clock's business.
        let timestamp = String(Int(Date().timeIntervalSince1970))
        do {
            var request = HTTPClientRequest(url: hook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Footfall-Webhooks/1")
            request.headers.add(name: "webhook-id", value: delivery.messageId)
            request.headers.add(name: "webhook-timestamp", value: timestamp)
            request.headers.add(name: "webhook-signature", value: StandardWebhooks.signature(
                secret: hook.secret.value, id: delivery.messageId, timestamp: timestamp, body: delivery.body) ?? "")
            request.body = .bytes(ByteBuffer(string: delivery.body))
            let response = try await client.execute(request, timeout: Self.timeout)
            // Read a little of the answer, so the connection can be reused; what it says is not kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return .delivered(status) }
            if status == 410 { return .gone }
            return .refused(status: status, error: "HTTP \(status)")
        } catch let error as HTTPClientError where error == .cancelled {
            _ = error
            return .interrupted
        } catch is CancellationError {
            return .interrupted
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .refused(status: nil, error: "no answer within \(Self.timeout.nanoseconds / 1_000_000_000) s")
        } catch {
            return .refused(status: nil, error: String(describing: error).prefix(300).description)
        }
    }

    private func record(_ delivery: Claimed, _ outcome: Outcome, at now: Date, hook: WebhookModel) async throws {
        if case .interrupted = outcome { return }
        guard let row = try await WebhookDeliveryModel.find(delivery.id, on: database) else { return }
        row.attempts = delivery.attempts + 1
        switch outcome {
        case .delivered(let status):
            row.status = DeliveryStatus.delivered.rawValue
            row.lastResponseStatus = status
            row.lastError = nil
            row.nextAttemptAt = nil
            row.deliveredAt = clock.now()
            metrics.webhookDelivery(.delivered)
        case .gone:
            row.status = DeliveryStatus.failed.rawValue
            row.lastResponseStatus = 410
            row.lastError = "HTTP 410: the endpoint is gone; it was switched off"
            row.nextAttemptAt = nil
            try await WebhookModel.query(on: database).filter(\.$id == hook.requireID()).set(\.$active, to: false).update()
            // No more deliveries are written for it from now on (until it is switched on again).
            outbox.invalidate()
            logger.notice("webhook endpoint answered 410 and was switched off", metadata: ["webhook": .string(hook.id?.uuidString ?? "")])
            metrics.webhookDelivery(.failed)
        case .interrupted:
            return
        case .refused(let status, let error):
            row.lastResponseStatus = status
            row.lastError = error
            if row.attempts > Self.retryDelays.count {
                row.status = DeliveryStatus.failed.rawValue
                row.nextAttemptAt = nil
                metrics.webhookDelivery(.failed)
            } else {
                row.nextAttemptAt = now + Self.retryDelays[row.attempts - 1]
                metrics.webhookDelivery(.retrying)
            }
        }
        try await row.update(on: database)
    }

    private func updateBacklog() async throws {
        let rows = try await (database as! any SQLDatabase).raw("""
            SELECT COUNT(*) AS backlog FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND w.active = \(bind: true)
            """).all()
        metrics.webhookBacklog(try rows.first?.decode(column: "backlog", as: Int.self) ?? 0)
    }

    /// When the next delivery is due, if any.
    func nextDue() async throws -> Date? {
        try await WebhookDeliveryModel.query(on: database).filter(\.$status == DeliveryStatus.pending.rawValue)
            .sort(\.$nextAttemptAt).first()?.nextAttemptAt
    }
}

/// Signatures of the Standard Webhooks scheme (https://www.standardwebhooks.com).
enum StandardWebhooks {
    /// `whsec_` and the base64 of 32 random bytes.
    static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// `v1,` and the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the
    /// base64-decoded secret; nil for a secret that is not `whsec_` and base64.
    static func signature(secret: String, id: String, timestamp: String, body: String) -> String? {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
