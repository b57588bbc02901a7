import Foundation
import NIOConcurrencyHelpers

/// Check-ins, check-outs and failed check-ins as they are committed, for whoever listens (the
/// events stream behind the admin panel's live who-is-in). The ledger's writer collects what a
/// turn changes and publishes it only once the turn has committed; what a rolled-back write did
/// is never told.
final class LiveEvents: Sendable {
    struct Event: Sendable, Equatable {
        /// `check_in`, `check_out` or `failed_check_in`; nil for a heartbeat.
        var name: String?
        var json: String
    }

    private struct Subscriber {
        let continuation: AsyncStream<Event>.Continuation
    }

    private let subscribers = NIOLockedValueBox([UUID: Subscriber]())

    /// Events from now on, with a heartbeat every `heartbeat` so that idle connections stay open
    /// through proxies. A listener that falls 1,000 events behind loses the oldest.
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
            self?.subscribers.withLockedValue { $0[id] = nil }
        }
        subscribers.withLockedValue { $0[id] = Subscriber(continuation: continuation) }
        return stream
    }

    var listeners: Int { subscribers.withLockedValue { $0.count } }

    /// Ends every stream (the server is stopping: an open stream would hold up its graceful
    /// shutdown for as long as the listener stays).
    func finish() {
        for subscriber in subscribers.withLockedValue({ subscribers in defer { subscribers = [:] }; return Array(subscribers.values) }) {
            subscriber.continuation.finish()
        }
    }

    func publish(_ events: [Event]) {
        guard !events.isEmpty else { return }
        for subscriber in subscribers.withLockedValue({ Array($0.values) }) {
            for event in events { subscriber.continuation.yield(event) }
        }
    }
}

/// What one writer turn has changed so far, told once it commits. Reached through a task-local
/// value, so that any ledger code running inside the turn can add to it.
final class PendingEvents: Sendable {
    @TaskLocal static var current: PendingEvents?

    private let events = NIOLockedValueBox([LiveEvents.Event]())
    private static let encoder = RFC3339.jsonEncoder()
    /// Whether anyone listens: if not, the turn's changes are not even written out.
    private let recording: Bool

    init(recording: Bool) {
        self.recording = recording
    }

    static func checkIn(_ visit: CheckInModel) { current?.add("check_in") { CheckInDTO(visit).json } }
    static func checkOut(_ visit: CheckInModel) { current?.add("check_out") { CheckInDTO(visit).json } }
    static func failedCheckIn(_ failed: FailedCheckInModel) {
        current?.add("failed_check_in") { try? String(decoding: encoder.encode(FailedCheckInDTO(failed)), as: UTF8.self) }
    }

    static func charge(_ charge: ChargeDTO) {
        current?.add("charge") { try? String(decoding: encoder.encode(charge), as: UTF8.self) }
    }

    private func add(_ name: String, _ json: () -> String?) {
        guard recording, let json = json() else { return }
        events.withLockedValue { $0.append(LiveEvents.Event(name: name, json: json)) }
    }

    /// How many there are, to undo back to when a savepoint rolls back.
    var count: Int { events.withLockedValue { $0.count } }

    func undo(to count: Int) { events.withLockedValue { $0.removeLast(max(0, $0.count - count)) } }

    func take() -> [LiveEvents.Event] { events.withLockedValue { events in defer { events = [] }; return events } }
}
