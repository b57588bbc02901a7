import Crypto
import Foundation

/// Time-based one-time codes (RFC 6238 over RFC 4226's HOTP): the rotating member code.
struct TOTP: Sendable {
    enum Algorithm: Sendable { case sha1, sha256, sha512 }

    var key: Data
    var digits = 6
    var step: TimeInterval = 30
    var algorithm = Algorithm.sha1

    func counter(at instant: Date) -> Int64 { Int64(Int(saturating: instant.timeIntervalSince1970 / step)) }

    func code(counter: Int64) -> String {
        let message = withUnsafeBytes(of: UInt64(bitPattern: counter).bigEndian) { Data($0) }
        let symmetricKey = SymmetricKey(data: key)
        let mac: [UInt8] = switch algorithm {
        case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetricKey))
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetricKey))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetricKey))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3]))
            % UInt32(pow(10, Double(digits)))
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    func code(at instant: Date) -> String { code(counter: counter(at: instant)) }

    /// The step the code belongs to, allowing one step of clock skew either way; nil if none.
    func matchingCounter(_ code: String, at instant: Date) -> Int64? {
        let now = counter(at: instant)
        return [now, now &- 1, now &+ 1].first { SecretToken.constantTimeEquals(self.code(counter: $0), code) }
    }
}

/// What a member's QR code says: `FFM-<customer id, 32 hex digits>-<6-digit code>`. Letters,
/// digits and dashes only, so that scanners acting as keyboards type it faithfully.
struct MemberCode: Equatable, Sendable {
    static let prefix = "FFM-"

    var customerId: UUID
    var code: String

    init(customerId: UUID, code: String) {
        self.customerId = customerId
        self.code = code
    }

    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "-")
        guard parts.count == 3, parts[0].uppercased() == "FFM", parts[1].count == 32, parts[2].count == 6,
              parts[2].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        let hex = Array(parts[1].lowercased())
        let dashed = [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { String($0) }.joined(separator: "-")
        guard let id = UUID(uuidString: dashed) else { return nil }
        customerId = id
        code = String(parts[2])
    }

    var payload: String {
        Self.prefix + customerId.uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "-" + code
    }
}
