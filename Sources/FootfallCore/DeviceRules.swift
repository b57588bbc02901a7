import Foundation

/// Which way a reader, kiosk or door moves people.
public enum Direction: String, Codable, Sendable, CaseIterable {
    case `in`, out, toggle
}

/// What a device event does for a known customer.
public enum DeviceAction: Equatable, Sendable {
    case checkIn
    case checkOut
    /// An `out` device saw someone who is not in here.
    case notCheckedIn

    /// `toggle` flips: out if the customer is in at this device's location, else in.
    public init(direction: Direction, isInHere: Bool) {
        switch (direction, isInHere) {
        case (.in, _): self = .checkIn
        case (.out, true), (.toggle, true): self = .checkOut
        case (.out, false): self = .notCheckedIn
        case (.toggle, false): self = .checkIn
        }
    }
}

/// The same credential at the same device soon after its last accepted event is a double tap.
public enum DoubleTap {
    public static let window: TimeInterval = 30

    public static func isRepeat(lastAccepted: Date?, at instant: Date) -> Bool {
        guard let lastAccepted else { return false }
        return abs(instant.timeIntervalSince(lastAccepted)) < window
    }
}

/// Guessing limits at a kiosk: five wrong PINs within ten minutes lock its PIN entry for ten
/// minutes, from the fifth; five wrong member codes lock its member-code entry the same way. Only
/// that entry is locked; cards and the other entry still work. Times are the server's own, taken
/// as each attempt arrives, never a time a device claims.
public enum GuessLockout {
    public static let attempts = 5
    public static let window: TimeInterval = 600
    public static let duration: TimeInterval = 600

    /// The wrong PINs to consider: those since this long before `at`.
    public static let lookBack: TimeInterval = window + duration

    /// Until when entry is locked at `at`, given the kiosk's wrong attempts of that kind (attempts
    /// refused while locked are not wrong attempts); nil when it is not locked.
    public static func lockedUntil(wrongAttempts: [Date], at instant: Date) -> Date? {
        let sorted = wrongAttempts.filter { $0 <= instant }.sorted()
        guard sorted.count >= attempts else { return nil }
        var lockEnd: Date?
        var index = attempts - 1
        while index < sorted.count {
            let fifth = sorted[index]
            if fifth.timeIntervalSince(sorted[index - attempts + 1]) < window, lockEnd.map({ fifth >= $0 }) ?? true {
                lockEnd = fifth + duration
            }
            index += 1
        }
        guard let lockEnd, instant < lockEnd else { return nil }
        return lockEnd
    }
}
