import Foundation

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
