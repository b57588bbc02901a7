import Foundation
import NIOConcurrencyHelpers

/// Check-ins, check-outs and failed check-ins as they are committed, for whoever listens (the
/// events stream behind the admin panel's live who-is-in). The ledger's writer collects what a
/// turn changes and publishes it only once the turn has committed; what a rolled-back write did
/// is never told.
final class LiveEvents: Sendable {
    struct Event: Sendable, Equatable {
        /// `check_in`, `check_out`, `failed_check_in` or `charge`; nil for a heartbeat.
        var name: String?
        /// The object, as the API writes it; empty when nobody was listening (`PendingEvents.recording`).
        var json: String
        /// What metrics and webhook subscriptions look at, always there.
        var facts: Facts? = nil
    }

    /// An event's where, how and whom.
    struct Facts: Sendable, Equatable {
        var locationId: UUID
        /// The method of a check-in or check-out, the reason of a failed check-in.
        var label: String?
        var customerId: UUID?
    }

    private struct Subscriber {
        let continuation: AsyncStream<Event>.Continuation
    }

    private struct Subscribers {
        var streams: [UUID: Subscriber] = [:]
        /// Set by `finish()`: the server is stopping.
        var finished = false
    }

    private let subscribers = NIOLockedValueBox(Subscribers())

    /// Events from now on, with a heartbeat every `heartbeat` so that idle connections stay open
    /// through proxies. A listener that falls 1,000 events behind loses the oldest. Once the
    /// server is stopping the stream ends at once: a browser reconnecting then would otherwise
    /// hold up the graceful shutdown for as long as it stays.
    func subscribe(heartbeat: Duration = .seconds(15)) -> AsyncStream<Event> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                continuation.yield(Event(name: nil, json: ""))
            }
        }
        continuation.onTermination = { [weak self] _ in
            beat.cancel()
            self?.subscribers.withLockedValue { $0.streams[id] = nil }
        }
        let added = subscribers.withLockedValue { subscribers in
            if !subscribers.finished { subscribers.streams[id] = Subscriber(continuation: continuation) }
            return !subscribers.finished
        }
        if !added { continuation.finish() }
        return stream
    }

    var listeners: Int { subscribers.withLockedValue { $0.streams.count } }

    /// Ends every stream, and every one asked for from now on (the server is stopping: an open
    /// stream would hold up its graceful shutdown for as long as the listener stays).
    func finish() {
        let streams = subscribers.withLockedValue { subscribers in
            defer { subscribers.streams = [:]; subscribers.finished = true }
            return Array(subscribers.streams.values)
        }
        for subscriber in streams { subscriber.continuation.finish() }
    }

    func publish(_ events: [Event]) {
        // Events whose object was not written (nobody listened when the turn began) are not told.
        let events = events.filter { !$0.json.isEmpty }
        guard !events.isEmpty else { return }
        for subscriber in subscribers.withLockedValue({ Array($0.streams.values) }) {
            for event in events { subscriber.continuation.yield(event) }
        }
    }
}

/// What one writer turn has changed so far, told once it commits. Reached through a task-local
/// value, so that any ledger code running inside the turn can add to it.
final class PendingEvents: Sendable {
    @TaskLocal static var current: PendingEvents?

    private let list = NIOLockedValueBox([LiveEvents.Event]())
    private static let encoder = RFC3339.jsonEncoder()
    /// Whether anyone listens (the events stream, a webhook subscription): if not, the turn's
    /// changes are not written out as JSON, only their facts kept (for metrics).
    let recording: Bool

    init(recording: Bool, keepingTaps: Bool) {
        self.recording = recording
        self.keepingTaps = keepingTaps
    }

    static func checkIn(_ visit: some CheckInColumns) {
        current?.add("check_in", .init(locationId: visit.locationId, label: visit.method, customerId: visit.customerId)) { CheckInDTO(visit).json }
    }

    static func checkOut(_ visit: some CheckInColumns) {
        current?.add("check_out", .init(locationId: visit.locationId, label: visit.checkOutMethod, customerId: visit.customerId)) {
            CheckInDTO(visit).json
        }
    }

    static func failedCheckIn(_ failed: FailedCheckInModel) {
        current?.add("failed_check_in", .init(locationId: failed.locationId, label: failed.reason, customerId: failed.customerId)) {
            try? String(decoding: encoder.encode(FailedCheckInDTO(failed)), as: UTF8.self)
        }
    }

    static func charge(_ charge: ChargeDTO) {
        current?.add("charge", .init(locationId: charge.locationId, label: nil, customerId: charge.customerId)) {
            try? String(decoding: encoder.encode(charge), as: UTF8.self)
        }
    }

    /// A device event answered (and stored) in this turn, for the metrics: no JSON, no listener.
    static func deviceEvent(_ result: String) { current?.deviceResults.withLockedValue { $0.append(result) } }

    /// Results of the device events the turn answered.
    let deviceResults = NIOLockedValueBox([String]())

    /// A tap accepted in this turn (stored with it), for the writer's memory of them on SQLite.
    static func acceptedTap(_ tap: RecentTaps.Tap) {
        guard let current, current.keepingTaps else { return }
        current.taps.withLockedValue { $0.append(tap) }
    }

    /// Whether the turn keeps its accepted taps (`RecentTaps`: on SQLite).
    let keepingTaps: Bool
    /// The taps the turn accepted.
    let taps = NIOLockedValueBox([RecentTaps.Tap]())

    private func add(_ name: String, _ facts: LiveEvents.Facts, _ json: () -> String?) {
        let text = recording ? json() ?? "" : ""
        list.withLockedValue { $0.append(LiveEvents.Event(name: name, json: text, facts: facts)) }
    }

    /// How much there is of each, to undo back to when a savepoint rolls back.
    struct Mark {
        var events = 0, deviceResults = 0, taps = 0
    }

    var mark: Mark {
        Mark(events: list.withLockedValue { $0.count }, deviceResults: deviceResults.withLockedValue { $0.count },
             taps: taps.withLockedValue { $0.count })
    }

    func undo(to mark: Mark) {
        list.withLockedValue { $0.removeLast(max(0, $0.count - mark.events)) }
        deviceResults.withLockedValue { $0.removeLast(max(0, $0.count - mark.deviceResults)) }
        taps.withLockedValue { $0.removeLast(max(0, $0.count - mark.taps)) }
    }

    /// What the turn has changed so far.
    var events: [LiveEvents.Event] { list.withLockedValue { $0 } }

    func take() -> [LiveEvents.Event] { list.withLockedValue { events in defer { events = [] }; return events } }
}
