import Crypto
import Foundation
import Vapor

/// Time-based one-time codes (RFC 6238 over RFC 4226's HOTP): the rotating member code. The
/// code of a step is Vapor's `HOTP`; the steps are counted here, in whole numbers that cannot
/// trap (Vapor's `TOTP` turns the time into an unsigned counter, which traps before 1970), and
/// `matchingCounter` says which step a code was, so that a code used once is refused again.
struct TimeStepCode: Sendable {
    typealias Algorithm = OTPDigest

    var key: Data
    var digits = OTPDigits.six
    var step: TimeInterval = 30
    var algorithm = Algorithm.sha1

    func counter(at instant: Date) -> Int64 { Int64(Int(saturating: (instant.timeIntervalSince1970 / step).rounded(.down))) }

    func code(counter: Int64) -> String {
        HOTP(key: SymmetricKey(data: key), digest: algorithm, digits: digits).generate(counter: UInt64(bitPattern: counter))
    }

    func code(at instant: Date) -> String { code(counter: counter(at: instant)) }

    /// The step the code belongs to, allowing one step of clock skew either way; nil if none.
    func matchingCounter(_ code: String, at instant: Date) -> Int64? {
        let now = counter(at: instant)
        return [now, now &- 1, now &+ 1].first { SecretToken.constantTimeEquals(self.code(counter: $0), code) }
    }
}
