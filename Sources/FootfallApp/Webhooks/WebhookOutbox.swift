import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The ledger's side of webhooks: at the end of each of the writer's transactions, one delivery
/// row per committed event and subscribed endpoint, written in that same transaction — an event
/// rolled back is never sent, one committed is never lost. A few statements per turn, however
/// many events it holds.
final class WebhookOutbox: Sendable {
    struct Subscription: Sendable {
        var id: UUID
        var events: Set<String>
        var locationIds: Set<UUID>

        func wants(_ event: LiveEvents.Event) -> Bool {
            guard let name = event.name, events.contains(name), let facts = event.facts else { return false }
            return locationIds.isEmpty || locationIds.contains(facts.locationId)
        }
    }

    /// Subscriptions change rarely; each server reads them again at most this often (and at
    /// once when they change through it), so one made through another server is seen within it.
    static let refreshInterval: Duration = .seconds(2)

    private let cache = NIOLockedValueBox((read: ContinuousClock.Instant?.none, subscriptions: [Subscription]()))
    /// Set when a turn has committed deliveries, so that the deliverer need not wait to poll.
    private let committed = NIOLockedValueBox(false)

    var hasSubscriptions: Bool { cache.withLockedValue { !$0.subscriptions.isEmpty } }

    /// Forgets the subscriptions read, after a change through this server.
    func invalidate() { cache.withLockedValue { $0.read = nil } }

    /// A subscription deleted in the writer's transaction: what the transaction enqueues leaves
    /// it out, and the next one reads the subscriptions again (also if this one rolls back).
    func forget(_ id: UUID) {
        cache.withLockedValue {
            $0.read = nil
            $0.subscriptions.removeAll { $0.id == id }
        }
    }

    /// Reads the active subscriptions again if they are older than `refreshInterval`.
    func refreshIfStale(on db: any Database) async throws {
        let read = cache.withLockedValue { $0.read }
        if let read, ContinuousClock.now - read < Self.refreshInterval { return }
        let subscriptions = try await WebhookModel.query(on: db).filter(\.$active == true).all().map {
            Subscription(id: $0.id!, events: Set($0.events), locationIds: Set($0.locationIds))
        }
        cache.withLockedValue { $0 = (.now, subscriptions) }
    }

    /// The deliveries for what this transaction committed; says how many it wrote.
    @discardableResult
    func enqueue(_ events: [LiveEvents.Event], at now: Date, on db: any Database) async throws -> Int {
        let subscriptions = cache.withLockedValue { $0.subscriptions }
        guard !subscriptions.isEmpty, !events.isEmpty else { return 0 }
        let matched = events.compactMap { event -> (LiveEvents.Event, [Subscription])? in
            guard !event.json.isEmpty else { return nil }
            let wanting = subscriptions.filter { $0.wants(event) }
            return wanting.isEmpty ? nil : (event, wanting)
        }
        guard !matched.isEmpty else { return 0 }
        // Every delivery names its customer: one query for the turn.
        let sql = db as! any SQLDatabase
        let customerIds = Array(Set(matched.compactMap { $0.0.facts?.customerId }))
        var names: [UUID: String] = [:]
        if !customerIds.isEmpty {
            for row in try await sql.raw("SELECT id, name FROM customers WHERE id IN \(SQLGroupExpression(customerIds.map { SQLBind($0) }))").all() {
                names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        let timestamp = RFC3339.format(now)
        var rows: [any SQLExpression] = []
        // Ids ascending in the order of the events (ids made in one millisecond are random
        // among themselves): an endpoint's deliveries are sent in id order.
        var ids = (0..<matched.reduce(0) { $0 + $1.1.count }).map { _ in UUID.timeOrdered() }
            .sorted { $0.uuidString < $1.uuidString }.makeIterator()
        for (event, wanting) in matched {
            let body = Self.body(type: event.name!, timestamp: timestamp, data: event.json,
                                 customer: event.facts?.customerId.map { ($0, names[$0]) })
            for subscription in wanting {
                let id = ids.next()!
                rows.append(SQLGroupExpression([
                    SQLBind(id), SQLBind(subscription.id), SQLBind(Self.messageId(id)), SQLBind(event.name!), SQLBind(body),
                    SQLBind(DeliveryStatus.pending.rawValue), SQLBind(0), SQLBind(now), SQLBind(now),
                ]))
            }
        }
        for chunk in rows.chunks(ofCount: 200) {
            try await sql.raw("""
                INSERT INTO webhook_deliveries (id, webhook_id, message_id, type, body, status, attempts, next_attempt_at, created_at)
                VALUES \(SQLList(Array(chunk)))
                """).run()
        }
        return rows.count
    }

    /// `msg_` and the delivery's id: the `webhook-id` header, stable across its attempts.
    static func messageId(_ id: UUID) -> String { "msg_" + id.uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    /// `{"data":…,"timestamp":…,"type":…}` with the customer's id and name in the data (sorted
    /// keys, as the API writes objects). `data` is the object as the events stream has it.
    static func body(type: String, timestamp: String, data: String, customer: (id: UUID, name: String?)?) -> String {
        var object = data
        if let customer, object.hasPrefix("{") {
            var reference = JSONText()
            reference.object {
                $0.member("id", customer.id)
                $0.member("name", customer.name)
            }
            object = "{\"customer\":\(reference.text)" + (object == "{}" ? "}" : "," + object.dropFirst())
        }
        var text = JSONText()
        text.object {
            $0.member("data") { $0.raw(object) }
            $0.member("timestamp", timestamp)
            $0.member("type", type)
        }
        return text.text
    }

    /// Waits until a turn commits deliveries, `timeout` passes, or the task is cancelled —
    /// looking every 50 ms, so that no wake-up is lost and nothing is left waiting.
    func waitForDeliveries(timeout: Duration) async {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end, !committed.withLockedValue({ $0 }) {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
        committed.withLockedValue { $0 = false }
    }

    /// Wakes the deliverer.
    func wake() { committed.withLockedValue { $0 = true } }
}
