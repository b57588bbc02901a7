import AsyncHTTPClient
import Crypto
import Fluent
import FootfallCore
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Vapor

/// Sends what the outbox holds: an endpoint with deliveries due is taken by one server (several
/// servers on one PostgreSQL share the outbox), its deliveries are sent signed by the Standard
/// Webhooks scheme, one after another in the order of their events, and marked delivered,
/// retried later, or failed. Endpoints are served side by side, a few at a time, so a slow one
/// holds up neither the others nor the ledger.
final class WebhookDeliverer: Sendable {
    /// After the first try, the next ones come this long after the one before (API.md); then the
    /// delivery has failed.
    static let retryDelays: [TimeInterval] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
    /// How long an endpoint has to answer.
    static let timeout: TimeAmount = .seconds(10)
    /// An endpoint is taken for at most this many of its deliveries at a time.
    static let claimedAtOnce = 16
    /// A server holds an endpoint it sends to this long, renewed while it sends (each send takes
    /// the timeout at most): no other server sends to it meanwhile, and one held by a server that
    /// was killed is free again half a minute later.
    static let hold: TimeInterval = 30
    /// At most this many endpoints are sent to at once.
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

    /// Sends every delivery due now; says how many tries it made. Up to `endpointsAtOnce`
    /// endpoints are served side by side, each by a task of its own: one that is slow to answer
    /// holds up only itself, and an endpoint that comes due meanwhile is taken up within half
    /// a second.
    @discardableResult
    func deliverDue() async throws -> Int {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            var tries = 0, serving = 0, ticking = false
            // A server stopping takes nothing more; what it was sending stays due (see `serve`).
            while !Task.isCancelled {
                if serving < Self.endpointsAtOnce {
                    let taken = try await takeEndpoints(upTo: Self.endpointsAtOnce - serving)
                    for hook in taken { group.addTask { await self.serve(hook) } }
                    serving += taken.count
                    if !taken.isEmpty { continue }
                }
                guard serving > 0 else { break }
                if !ticking {
                    group.addTask { try? await Task.sleep(for: .milliseconds(500)); return nil }
                    ticking = true
                }
                switch try await group.next() {
                case .some(.some(let sent)): tries += sent; serving -= 1
                case .some(.none): ticking = false
                case .none: break
                }
            }
            group.cancelAll()
            for try await sent in group { tries += sent ?? 0 }
            try await updateBacklog()
            return tries
        }
    }

    /// Endpoints with deliveries due that no server is sending to, now this server's to send to
    /// (least recently served first): each endpoint is one server's at a time, so its deliveries
    /// go in order however many servers share the outbox. Most calls find none, by a read alone.
    private func takeEndpoints(upTo limit: Int) async throws -> [WebhookModel] {
        let now = clock.now()
        let sql = database as! any SQLDatabase
        let free: SQLQueryString = """
            w.active = \(bind: true) AND (w.sending_until IS NULL OR w.sending_until <= \(bind: now)) AND EXISTS (
                SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= \(bind: now))
            """
        guard try await sql.raw("SELECT w.id FROM webhooks w WHERE \(free) LIMIT 1").first() != nil else { return [] }
        // On PostgreSQL an endpoint another server is taking right now is skipped, not waited for.
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let ids = try await sql.raw("""
            UPDATE webhooks SET sending_until = \(bind: now + Self.hold)
            WHERE id IN (SELECT w.id FROM webhooks w WHERE \(free)
                         ORDER BY w.sending_until IS NOT NULL, w.sending_until, w.id LIMIT \(unsafeRaw: String(limit))\(skipLocked))
            RETURNING id
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        return try await WebhookModel.query(on: database).filter(\.$id ~~ ids).all()
    }

    /// An endpoint's due deliveries, oldest first, up to `claimedAtOnce`.
    private func due(for hook: WebhookModel, at now: Date) async throws -> [Claimed] {
        let rows = try await (database as! any SQLDatabase).raw("""
            SELECT id, webhook_id, message_id, body, attempts FROM webhook_deliveries
            WHERE webhook_id = \(bind: hook.requireID()) AND status = 'pending' AND next_attempt_at <= \(bind: now)
            ORDER BY next_attempt_at, created_at, id LIMIT \(unsafeRaw: String(Self.claimedAtOnce))
            """).all()
        return try rows.map { row in
            Claimed(id: try row.decode(column: "id", as: UUID.self), webhookId: try row.decode(column: "webhook_id", as: UUID.self),
                    messageId: try row.decode(column: "message_id", as: String.self), body: try row.decode(column: "body", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self))
        }.sorted { $0.messageId < $1.messageId }  // time-ordered ids: the order of the events
    }

    /// Up to `claimedAtOnce` of an endpoint's due deliveries, one after another in the order of
    /// their events, while this server holds the endpoint (renewed as it goes); then the endpoint
    /// is let go, to be taken again, by whichever server, if more are due. Stops at a 410 (the
    /// endpoint is switched off). Says how many tries it made.
    private func serve(_ hook: WebhookModel) async -> Int {
        guard let id = hook.id else { return 0 }
        var tries = 0
        do {
            var held = clock.now() + Self.hold
            for delivery in try await due(for: hook, at: clock.now()) {
                guard !Task.isCancelled else { break }
                let now = clock.now()
                // Held for the send to come (at most the timeout) and its record, with room to spare.
                if held.timeIntervalSince(now) < Self.hold / 2 {
                    held = now + Self.hold
                    try await WebhookModel.query(on: database).filter(\.$id == id).set(\.$sendingUntil, to: held).update()
                }
                let outcome = await attempt(delivery, to: hook, at: now)
                if case .interrupted = outcome { break }
                tries += 1
                try await record(delivery, outcome, at: now, hook: hook)
                if case .gone = outcome { break }
            }
        } catch {
            logger.error("webhook: sending to an endpoint failed: \(String(reflecting: error))")
        }
        // Let go, also when stopping: what was not sent is still due, for any server.
        try? await WebhookModel.query(on: database).filter(\.$id == id).set(\.$sendingUntil, to: clock.now()).update()
        return tries
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
