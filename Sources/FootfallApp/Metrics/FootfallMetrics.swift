import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// The server's metrics in a swift-prometheus registry of this application's own (tests run
/// many applications in one process, so not the process-wide swift-metrics bootstrap; the
/// registry's collectors are swift-metrics handlers all the same). Counted where things happen
/// — the ledger's writer after each commit, the RADIUS server, the HTTP middleware, the webhook
/// deliverer — never by counting rows per scrape. The text format is swift-prometheus's.
final class FootfallMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// People in per location, as this server last knew it (set from the database at start-up
    /// and at each sweep, moved by every check-in and check-out in between).
    private let peopleIn = NIOLockedValueBox([UUID: Int]())

    private static func named(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: unit, helpText: help)
    }

    private static var checkIns: MetricNameDescriptor { named("footfall_check_ins", "total", "Check-ins committed, by location and method.") }
    private static var checkOuts: MetricNameDescriptor { named("footfall_check_outs", "total", "Check-outs committed, by location and how they ended.") }
    private static var failed: MetricNameDescriptor { named("footfall_failed_check_ins", "total", "Refused check-in attempts, by location and reason.") }
    private static var charges: MetricNameDescriptor { named("footfall_charges", "total", "Pay-as-you-go charges made final, by location.") }
    private static var deviceEvents: MetricNameDescriptor { named("footfall_device_events", "total", "Device events answered and stored, by result.") }
    private static var turns: MetricNameDescriptor {
        named("footfall_ledger_turns", "total", "Commits of the ledger's writer, each shared by the writes it took together.")
    }
    private static var people: MetricNameDescriptor { MetricNameDescriptor(metricName: "footfall_people_in", unitName: "", helpText: "People in now, by location.") }
    private static var radiusRequests: MetricNameDescriptor { named("footfall_radius_requests", "total", "RADIUS requests by type and outcome.") }
    private static var httpRequests: MetricNameDescriptor { named("http_requests", "total", "HTTP requests by method and status.") }
    private static var httpDuration: MetricNameDescriptor { named("http_request_duration", "seconds", "Time to answer HTTP requests.") }
    private static var webhookDeliveries: MetricNameDescriptor { named("footfall_webhook_deliveries", "total", "Webhook delivery attempts by outcome.") }
    private static var webhookBacklog: MetricNameDescriptor { MetricNameDescriptor(metricName: "footfall_webhook_backlog", unitName: "",
                                                             helpText: "Webhook deliveries waiting, of active endpoints.") }
    private static let durationBuckets: [Duration] = [.milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    private let httpCounters = NIOLockedValueBox([HTTPSeries: Counter]())
    private let httpDuration: DurationHistogram
    /// With the device events counted, how many events a commit serves on average.
    private let turns: Counter

    init() {
        turns = registry.makeCounter(descriptor: Self.turns)
        registry.makeGauge(descriptor: Self.webhookBacklog).set(to: 0)
        httpDuration = registry.makeDurationHistogram(descriptor: Self.httpDuration, labels: [], buckets: Self.durationBuckets)
    }

    // MARK: The ledger

    /// What a committed turn of the ledger's writer changed: counted here first, so that the
    /// registry (a lock and a lookup by name and labels) is asked once per series a turn
    /// touched, not once per event.
    func record(_ events: [LiveEvents.Event], deviceResults: [String]) {
        turns.increment()
        var counts: [Series: Int64] = [:]
        var moves: [(location: UUID, change: Int)] = []
        for event in events {
            guard let name = event.name, let facts = event.facts else { continue }
            let location = facts.locationId
            switch name {
            case "check_in":
                counts[.checkIns(location: location, method: facts.label ?? ""), default: 0] += 1
                moves.append((location, 1))
            case "check_out":
                counts[.checkOuts(location: location, method: facts.label ?? ""), default: 0] += 1
                moves.append((location, -1))
            case "failed_check_in":
                counts[.failed(location: location, reason: facts.label ?? ""), default: 0] += 1
            case "charge":
                counts[.charges(location: location), default: 0] += 1
            default:
                break
            }
        }
        for result in deviceResults { counts[.deviceEvents(result: result), default: 0] += 1 }
        for (series, count) in counts { registry.makeCounter(descriptor: series.descriptor, labels: series.labels).increment(by: count) }
        movePeopleIn(moves)
    }

    /// One counter of the ledger's, with its labels.
    private enum Series: Hashable {
        case checkIns(location: UUID, method: String)
        case checkOuts(location: UUID, method: String)
        case failed(location: UUID, reason: String)
        case charges(location: UUID)
        case deviceEvents(result: String)

        var descriptor: MetricNameDescriptor {
            switch self {
            case .checkIns: FootfallMetrics.checkIns
            case .checkOuts: FootfallMetrics.checkOuts
            case .failed: FootfallMetrics.failed
            case .charges: FootfallMetrics.charges
            case .deviceEvents: FootfallMetrics.deviceEvents
            }
        }

        var labels: [(String, String)] {
            switch self {
            case .checkIns(let location, let method), .checkOuts(let location, let method): [("location", location.uuidString), ("method", method)]
            case .failed(let location, let reason): [("location", location.uuidString), ("reason", reason)]
            case .charges(let location): [("location", location.uuidString)]
            case .deviceEvents(let result): [("result", result)]
            }
        }
    }

    /// People in per location as the database has them (every location, zero included).
    func setPeopleIn(_ counts: [UUID: Int]) {
        peopleIn.withLockedValue { peopleIn in
            peopleIn = counts
            for (location, count) in counts { gauge(location).set(to: Double(count)) }
        }
    }

    /// Moves the people-in counts check-in by check-in, in order, then sets each location's
    /// gauge once. Gauges are set under the counts' lock, so that a sweep's counts and a turn's
    /// moves reach them in the order they were made.
    private func movePeopleIn(_ moves: [(location: UUID, change: Int)]) {
        guard !moves.isEmpty else { return }
        peopleIn.withLockedValue { counts in
            for move in moves { counts[move.location, default: 0] = max(0, counts[move.location, default: 0] + move.change) }
            for location in Set(moves.map(\.location)) { gauge(location).set(to: Double(counts[location]!)) }
        }
    }

    private func gauge(_ location: UUID) -> Gauge {
        registry.makeGauge(descriptor: Self.people, labels: [("location", location.uuidString)])
    }

    // MARK: RADIUS, HTTP, webhooks

    enum RADIUSOutcome: String { case accepted, rejected, answered, dropped }

    /// `type`: `access`, `accounting`, `status` or `other` (what the datagram's code says).
    func radius(type: String, outcome: RADIUSOutcome) {
        registry.makeCounter(descriptor: Self.radiusRequests, labels: [("type", type), ("outcome", outcome.rawValue)]).increment()
    }

    /// Every request passes here, so its counters are kept rather than asked of the registry
    /// each time.
    func http(method: String, status: Int, duration: Duration) {
        let key = HTTPSeries(method: method, status: status)
        let counter = httpCounters.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.httpRequests, labels: [("method", method), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        httpDuration.record(duration)
    }

    private struct HTTPSeries: Hashable {
        var method: String
        var status: Int
    }

    enum WebhookOutcome: String { case delivered, retrying, failed }

    func webhookDelivery(_ outcome: WebhookOutcome) {
        registry.makeCounter(descriptor: Self.webhookDeliveries, labels: [("outcome", outcome.rawValue)]).increment()
    }

    /// Deliveries waiting to be made (pending, of active endpoints).
    func webhookBacklog(_ count: Int) { registry.makeGauge(descriptor: Self.webhookBacklog).set(to: Double(count)) }

    /// The Prometheus text format 0.0.4.
    func exposition() -> String { registry.emitToString() }
}
