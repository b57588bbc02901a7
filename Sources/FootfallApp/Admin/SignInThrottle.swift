import Foundation
import NIOConcurrencyHelpers

/// Wrong admin passwords, counted per email and per client address on the server's clock. Past
/// a few in a window, sign-in for that email or from that address is answered 429 with the
/// seconds until the oldest counted attempt leaves the window: guessing a password costs hours,
/// not seconds. An office behind one address gets more tries than one email does. Counted per
/// server process; several servers each keep their own count.
///
/// Each attempt is counted before its password is checked (and taken back when it was right),
/// so a hundred attempts sent at once are counted as a hundred, not judged against the count
/// from before any of them.
final class SignInThrottle: Sendable {
    static let window: TimeInterval = 900
    static let perEmail = 5
    static let perAddress = 20
    /// Emails and addresses tracked at most. Past it, forgotten first: attempts that have left the
    /// window, then emails and addresses that are not locked, oldest first.
    static let capacity = 100_000

    private let attempts = NIOLockedValueBox([String: [Date]]())

    /// Counts an attempt for this email from this address and returns nil, or returns the seconds
    /// to wait (nothing counted) when either is over its limit.
    func attempt(email: String, address: String?, now: Date) -> Int? {
        attempts.withLockedValue { attempts in
            let keys = Self.keys(email: email, address: address)
            let waits = keys.compactMap { key, limit -> TimeInterval? in
                let recent = (attempts[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
                guard recent.count >= limit else { return nil }
                return recent[recent.count - limit].addingTimeInterval(Self.window).timeIntervalSince(now)
            }
            if let wait = waits.max() { return max(1, Int(wait.rounded(.up))) }
            if attempts.count + keys.count > Self.capacity { Self.evict(&attempts, now: now) }
            for (key, limit) in keys {
                attempts[key] = Array(((attempts[key] ?? []).filter { now.timeIntervalSince($0) < Self.window } + [now]).suffix(limit))
            }
            return nil
        }
    }

    /// The password was right: its email starts afresh, and the attempt no longer counts
    /// against its address.
    func succeeded(email: String, address: String?, at now: Date) {
        attempts.withLockedValue { attempts in
            attempts["email:" + email] = nil
            if let key = address.map(Self.addressKey), let index = attempts[key]?.lastIndex(of: now) {
                attempts[key]?.remove(at: index)
            }
        }
    }

    private static func evict(_ attempts: inout [String: [Date]], now: Date) {
        attempts = attempts.compactMapValues { times in
            let recent = times.filter { now.timeIntervalSince($0) < window }
            return recent.isEmpty ? nil : recent
        }
        guard attempts.count >= capacity else { return }
        let unlocked = attempts.filter { key, times in times.count < (key.hasPrefix("email:") ? perEmail : perAddress) }
            .sorted { ($0.value.last ?? now) < ($1.value.last ?? now) }
        for (key, _) in unlocked.prefix(attempts.count - capacity * 9 / 10) { attempts[key] = nil }
    }

    private static func keys(email: String, address: String?) -> [(String, Int)] {
        [("email:" + email, perEmail)] + (address.map { [(addressKey($0), perAddress)] } ?? [])
    }

    /// An IPv6 client counts by its /64, the block one subscriber usually holds.
    private static func addressKey(_ address: String) -> String {
        guard address.contains(":") else { return "address:" + address }
        var groups = address.split(separator: ":", omittingEmptySubsequences: false)
        if let gap = groups.firstIndex(of: "") {
            let filled = max(0, 8 - groups.filter { !$0.isEmpty }.count)
            groups.replaceSubrange(gap..<groups[gap...].prefix { $0.isEmpty }.endIndex, with: Array(repeating: "0", count: filled))
        }
        return "address:" + groups.prefix(4).joined(separator: ":") + "::/64"
    }
}
