import AsyncHTTPClient
import Crypto
import Fluent
import FootfallCore
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Vapor

/// Sends what the outbox holds. An endpoint with deliveries due is taken by one server at a
/// time (several servers on one PostgreSQL share the outbox), which sends them one after
/// another in the order of their events, signed by the Standard Webhooks scheme, and records
/// each as delivered, to be tried again, or failed. Endpoints are served side by side, a few at
/// a time, so a slow one holds up neither the others nor the ledger. What the deliverer writes
/// (taking an endpoint, the outcomes, letting go) goes through the ledger's writer, joining its
/// commits: on SQLite nothing waits for the write lock beside it.
final class WebhookDeliverer: Sendable {
    /// After the first try, the next ones come this long after the one before (API.md); then the
    /// delivery has failed.
    static let retryDelays: [TimeInterval] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
    /// How long an endpoint has to answer, its answer's body included.
    static let timeout: TimeAmount = .seconds(10)
    /// An endpoint is taken for at most this many of its deliveries at a time.
    static let takenAtOnce = 64
    /// A server holds an endpoint it sends to this long, renewed while it sends (a send takes
    /// the timeout at most): no other server sends to it meanwhile, and one held by a server that
    /// was killed is free again half a minute later (on SQLite, the only server, at once).
    static let hold: TimeInterval = 30
    /// An endpoint that failed to take a delivery is left alone this long before its next one.
    static let pause: TimeInterval = 5
    /// Outcomes are recorded at least this often while an endpoint is being sent to.
    static let recordEvery: TimeInterval = 2
    /// At most this many endpoints are sent to at once.
    static let endpointsAtOnce = 8

    private let database: any Database
    private let writer: LedgerWriter
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: FootfallMetrics
    private let outbox: WebhookOutbox
    /// `Self.timeout`, but for tests that need a stalling endpoint to stall longer; at most
    /// half the hold, which is renewed before a send once less than half of it is left.
    private let timeout: TimeAmount
    let client: HTTPClient

    init(database: any Database, writer: LedgerWriter, clock: any WallClock, logger: Logger, metrics: FootfallMetrics,
         outbox: WebhookOutbox, eventLoopGroup: any EventLoopGroup, timeout: TimeAmount = WebhookDeliverer.timeout) {
        precondition(timeout <= .seconds(Int64(Self.hold / 2)), "a send must end within the endpoint's hold")
        self.timeout = timeout
        self.database = database
        self.writer = writer
        self.outbox = outbox
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: timeout, read: timeout))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
    }

    private struct Claimed: Sendable {
        var id: UUID
        var messageId: String
        var body: String
        var attempts: Int
    }

    /// An endpoint this server holds, until `until`: `holder` marks the hold as this one's.
    private struct Held: Sendable {
        var hook: WebhookModel
        var holder: UUID
        var until: Date
        var id: UUID { hook.id! }
    }

    /// Sends every delivery due now; says how many tries it made. Up to `endpointsAtOnce`
    /// endpoints are served side by side, each by a task of its own: one that is slow to answer
    /// holds up only itself, and an endpoint that comes due meanwhile is taken up within half
    /// a second.
    @discardableResult
    func deliverDue() async throws -> Int {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            var tries = 0, serving = 0, ticking = false, backlogAt = ContinuousClock.now
            // A server stopping takes nothing more; what it was sending stays due (see `serve`).
            while !Task.isCancelled {
                if serving < Self.endpointsAtOnce {
                    do {
                        let taken = try await takeEndpoints(upTo: Self.endpointsAtOnce - serving)
                        for held in taken { group.addTask { await self.serve(held) } }
                        serving += taken.count
                        if !taken.isEmpty { continue }
                    } catch where serving > 0 && !(error is CancellationError) {
                        // What is being sent carries on; taking is tried again at the next tick.
                        logger.error("webhook: could not take endpoints: \(String(reflecting: error))")
                    }
                }
                guard serving > 0 else { break }
                if !ticking {
                    group.addTask { try? await Task.sleep(for: .milliseconds(500)); return nil }
                    ticking = true
                }
                switch try await group.next() {
                case .some(.some(let sent)): tries += sent; serving -= 1
                case .some(.none): ticking = false
                case .none: serving = 0
                }
                if ContinuousClock.now - backlogAt > .seconds(5) {
                    backlogAt = .now
                    try? await updateBacklog()
                }
            }
            group.cancelAll()
            for try await sent in group { tries += sent ?? 0 }
            try await updateBacklog()
            return tries
        }
    }

    /// Endpoints with deliveries due that no server holds, now held by this one (least recently
    /// served first): each endpoint is one server's at a time, so its deliveries go in order
    /// however many servers share the outbox. Most calls find none, by a read alone.
    private func takeEndpoints(upTo limit: Int) async throws -> [Held] {
        let now = clock.now()
        let sql = database as! any SQLDatabase
        let free: SQLQueryString = """
            w.active = \(bind: true) AND (w.sending_until IS NULL OR w.sending_until <= \(bind: now)) AND EXISTS (
                SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= \(bind: now))
            """
        guard try await sql.raw("SELECT w.id FROM webhooks w WHERE \(free) LIMIT 1").first() != nil else { return [] }
        // On PostgreSQL an endpoint another server is taking right now is skipped, not waited for.
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let holder = UUID(), until = now + Self.hold
        let ids = try await writer.perform { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE webhooks SET sending_until = \(bind: until), sending_by = \(bind: holder)
                WHERE id IN (SELECT w.id FROM webhooks w WHERE \(free)
                             ORDER BY w.sending_until IS NOT NULL, w.sending_until, w.id LIMIT \(unsafeRaw: String(limit))\(skipLocked))
                RETURNING id
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
        }
        guard !ids.isEmpty else { return [] }
        return try await WebhookModel.query(on: database).filter(\.$id ~~ ids).all().map { Held(hook: $0, holder: holder, until: until) }
    }

    /// An endpoint's due deliveries in the order of their events, up to `takenAtOnce`.
    private func due(for held: Held, at now: Date) async throws -> [Claimed] {
        let rows = try await (database as! any SQLDatabase).raw("""
            SELECT id, message_id, body, attempts FROM webhook_deliveries
            WHERE webhook_id = \(bind: held.id) AND status = 'pending' AND next_attempt_at <= \(bind: now)
            ORDER BY next_attempt_at, created_at, id LIMIT \(unsafeRaw: String(Self.takenAtOnce))
            """).all()
        return try rows.map { row in
            Claimed(id: try row.decode(column: "id", as: UUID.self), messageId: try row.decode(column: "message_id", as: String.self),
                    body: try row.decode(column: "body", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self))
        }.sorted { $0.messageId < $1.messageId }  // time-ordered ids: the order of the events
    }

    /// An endpoint's due deliveries (up to `takenAtOnce`), one after another in the order of
    /// their events, while this server holds it (renewed as it goes; if the hold was lost, it
    /// stops). At the first one not taken it stops, and the endpoint is left alone for `pause`;
    /// a 410 switches it off. Outcomes are recorded every `recordEvery` and at the end, when the
    /// endpoint is let go (a server killed between a send and its record sends it again).
    /// Says how many tries it made.
    private func serve(_ held: Held) async -> Int {
        var outcomes: [(Claimed, Outcome)] = []
        var tries = 0, pauseAfter = false
        var heldUntil = held.until, recorded = clock.now()
        do {
            for delivery in try await due(for: held, at: clock.now()) {
                guard !Task.isCancelled else { break }
                let now = clock.now()
                if heldUntil.timeIntervalSince(now) < Self.hold / 2 {
                    // Held for the send to come (the timeout at most) and its record, with room to spare.
                    heldUntil = now + Self.hold
                    guard try await renew(held, until: heldUntil) else { break }
                }
                let outcome = await attempt(delivery, to: held.hook)
                if case .interrupted = outcome { break }
                tries += 1
                outcomes.append((delivery, outcome))
                if case .gone = outcome { break }
                if case .refused = outcome {
                    pauseAfter = true
                    break
                }
                if now.timeIntervalSince(recorded) >= Self.recordEvery {
                    try await record(outcomes, for: held, letGo: false)
                    outcomes = []
                    recorded = now
                }
            }
        } catch {
            logger.error("webhook: sending to an endpoint failed: \(String(reflecting: error))")
        }
        do {
            try await record(outcomes, for: held, letGo: true, pause: pauseAfter)
        } catch {
            logger.error("webhook: could not record deliveries' outcomes: \(String(reflecting: error))")
        }
        return tries
    }

    /// Extends this server's hold on an endpoint; false if it is no longer this server's.
    private func renew(_ held: Held, until: Date) async throws -> Bool {
        try await writer.perform { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE webhooks SET sending_until = \(bind: until) WHERE id = \(bind: held.id) AND sending_by = \(bind: held.holder) RETURNING id
                """).all().count == 1
        }
    }

    private enum Outcome: Sendable {
        case delivered(Int)
        case gone
        case refused(status: Int?, error: String)
        /// The server is stopping: not a try.
        case interrupted
    }

    private func attempt(_ delivery: Claimed, to hook: WebhookModel) async -> Outcome {
        // The time of this very request, on the system's clock, as the receiver checks it against
        // its own (Standard Webhooks allows five minutes either way); when it is due is the
        // ledger's clock's business.
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let deadline = NIODeadline.now() + timeout
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
            let response = try await client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            // Read what is left of the answer within the same 10 s, so the connection can be
            // reused; what it says is not kept, and a body that never ends changes nothing.
            await Self.drain(response.body, until: deadline)
            if (200..<300).contains(status) { return .delivered(status) }
            if status == 410 { return .gone }
            return .refused(status: status, error: "HTTP \(status)")
        } catch let error as HTTPClientError where error == .cancelled {
            _ = error
            return .interrupted
        } catch is CancellationError {
            return .interrupted
        } catch where Task.isCancelled {
            // Stopping: whatever the client said as it was shut down, this was no try.
            return .interrupted
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .refused(status: nil, error: "no answer within \(timeout.nanoseconds / 1_000_000_000) s")
        } catch {
            return .refused(status: nil, error: String(describing: error).prefix(300).description)
        }
    }

    /// Reads a response's body (up to 64 KiB) until `deadline` at the latest.
    private static func drain(_ body: HTTPClientResponse.Body, until deadline: NIODeadline) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await body.collect(upTo: 64 * 1024) }
            group.addTask {
                let left = deadline - .now()
                try? await Task.sleep(nanoseconds: UInt64(max(0, left.nanoseconds)))
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Records outcomes in one write of the ledger's writer: delivered ones by a statement for
    /// each answer status (mostly one), the rest one by one. Letting go (`letGo`), the endpoint
    /// is free again — after `pause` if its last delivery was not taken — if it is still this
    /// server's.
    private func record(_ outcomes: [(Claimed, Outcome)], for held: Held, letGo: Bool, pause: Bool = false) async throws {
        guard !outcomes.isEmpty || letGo else { return }
        let now = clock.now()
        let free = pause ? now + Self.pause : now
        var counts: [FootfallMetrics.WebhookOutcome] = []
        let delivered = Dictionary(grouping: outcomes.compactMap { delivery, outcome -> (Int, Claimed)? in
            if case .delivered(let status) = outcome { return (status, delivery) }
            return nil
        }, by: \.0)
        var others: [(UUID, String, Int, Int?, String?, Date?)] = []  // id, status, attempts, last status, error, next try
        var gone = false
        for (delivery, outcome) in outcomes {
            let attempts = delivery.attempts + 1
            switch outcome {
            case .delivered:
                counts.append(.delivered)
            case .gone:
                gone = true
                others.append((delivery.id, DeliveryStatus.failed.rawValue, attempts, 410, "HTTP 410: the endpoint is gone; it was switched off", nil))
                counts.append(.failed)
            case .refused(let status, let error):
                let last = attempts > Self.retryDelays.count
                others.append((delivery.id, last ? DeliveryStatus.failed.rawValue : DeliveryStatus.pending.rawValue, attempts, status, error,
                               last ? nil : now + Self.retryDelays[attempts - 1]))
                counts.append(last ? .failed : .retrying)
            case .interrupted:
                break
            }
        }
        try await writer.perform { [others, gone] db in
            let sql = db as! any SQLDatabase
            for (status, group) in delivered {
                try await sql.raw("""
                    UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_response_status = \(bind: status),
                        last_error = NULL, next_attempt_at = NULL, delivered_at = \(bind: now)
                    WHERE id IN \(SQLGroupExpression(group.map { SQLBind($0.1.id) })) AND status = 'pending'
                    """).run()
            }
            for (id, status, attempts, lastStatus, error, next) in others {
                try await sql.raw("""
                    UPDATE webhook_deliveries SET status = \(bind: status), attempts = \(bind: attempts), last_response_status = \(bind: lastStatus),
                        last_error = \(bind: error), next_attempt_at = \(bind: next)
                    WHERE id = \(bind: id) AND status = 'pending' AND attempts = \(bind: attempts - 1)
                    """).run()
            }
            if gone { try await sql.raw("UPDATE webhooks SET active = \(bind: false) WHERE id = \(bind: held.id)").run() }
            if letGo {
                try await sql.raw("""
                    UPDATE webhooks SET sending_until = \(bind: free), sending_by = NULL WHERE id = \(bind: held.id) AND sending_by = \(bind: held.holder)
                    """).run()
            }
        }
        for outcome in counts { metrics.webhookDelivery(outcome) }
        if gone {
            // No more deliveries are written for it from now on (until it is switched on again).
            outbox.invalidate()
            logger.notice("webhook endpoint answered 410 and was switched off", metadata: ["webhook": .string(held.id.uuidString)])
        }
    }

    /// An endpoint left alone after a failed delivery is free again at once: what an operator
    /// changes, sends again or pings goes now (one being sent to stays with its server).
    static func endPause(of webhook: UUID, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            UPDATE webhooks SET sending_until = NULL WHERE id = \(bind: webhook) AND sending_by IS NULL AND sending_until IS NOT NULL
            """).run()
    }

    /// On SQLite this is the only server: holds left by a server that was killed are let go at
    /// start-up, so its endpoints' deliveries resume at once.
    func letGoOfHoldsLeftBehind() async throws {
        guard (database as? any SQLDatabase)?.dialect.name == "sqlite" else { return }
        try await writer.perform { db in
            try await (db as! any SQLDatabase).raw("UPDATE webhooks SET sending_until = NULL, sending_by = NULL WHERE sending_by IS NOT NULL").run()
        }
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
