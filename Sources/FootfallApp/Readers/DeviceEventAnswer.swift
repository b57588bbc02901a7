import Fluent
import SQLKit
import FootfallCore
import Vapor

/// The answer a device gets: what happened, and to whom.
struct DeviceEventAnswer: Encodable, Sendable {
    enum Result: String, Codable, Sendable {
        case checkedIn = "checked_in"
        case checkedOut = "checked_out"
        case alreadyIn = "already_in"
        case notCheckedIn = "not_checked_in"
        case ignoredRepeat = "ignored_repeat"
        case ignored
        case refused

        /// Results that count as the credential's last accepted event for the double-tap rule.
        static let accepted: [Result] = [.checkedIn, .checkedOut, .alreadyIn]
    }

    struct Customer: Encodable, Sendable {
        var id: UUID
        var name: String
    }

    var result: Result
    var reason: ReasonCode?
    var customer: Customer?
    var checkIn: CheckInDTO?
}
