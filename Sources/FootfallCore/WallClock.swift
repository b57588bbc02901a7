import Foundation

/// Where the rules read "now" from. The server hands in the system clock; tests hand in a fixed one.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The real time of the machine.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until it is moved; for tests and for replaying past events.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func set(_ date: Date) { lock.withLock { current = date } }

    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
