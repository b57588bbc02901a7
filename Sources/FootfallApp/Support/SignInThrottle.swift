import Foundation
import NIOConcurrencyHelpers

/// Wrong admin passwords, counted per email and per client address on the server's clock. Past
/// a few in a window, sign-in for that email or from that address is answered 429 with the
/// seconds until the oldest counted failure leaves the window: guessing a password costs hours,
/// not seconds. An office behind one address gets more tries than one email does. Counted per
/// server process; several servers each keep their own count.
final class SignInThrottle: Sendable {
    static let window: TimeInterval = 900
    static let perEmail = 5
    static let perAddress = 20
    /// Kept at most; older entries are forgotten first (a flood of made-up emails cannot grow it).
    static let capacity = 10_000

    private let failures = NIOLockedValueBox([String: [Date]]())

    /// Seconds to wait before this email may try again from this address; nil: go ahead.
    func retryAfter(email: String, address: String?, now: Date) -> Int? {
        failures.withLockedValue { failures in
            let waits = Self.keys(email: email, address: address).compactMap { key, limit -> TimeInterval? in
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
                guard recent.count >= limit else { return nil }
                return recent[recent.count - limit].addingTimeInterval(Self.window).timeIntervalSince(now)
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    func failed(email: String, address: String?, now: Date) {
        failures.withLockedValue { failures in
            if failures.count >= Self.capacity {
                failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < Self.window } }
                if failures.count >= Self.capacity { failures.removeAll() }
            }
            for (key, limit) in Self.keys(email: email, address: address) {
                failures[key, default: []] = Array(((failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window } + [now]).suffix(limit))
            }
        }
    }

    /// A right password clears its email's count (not its address's).
    func succeeded(email: String) {
        _ = failures.withLockedValue { $0.removeValue(forKey: "email:" + email) }
    }

    private static func keys(email: String, address: String?) -> [(String, Int)] {
        [("email:" + email, perEmail)] + (address.map { [("address:" + $0, perAddress)] } ?? [])
    }
}
