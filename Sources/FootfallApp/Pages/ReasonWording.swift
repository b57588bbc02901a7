import FootfallCore
import Foundation

/// Every refusal in words, in one table: for the person at the desk (the admin pages) and for
/// the customer at the door (the kiosk, which gets its column through the page). The switch is
/// exhaustive, so a new reason cannot ship without both.
enum ReasonWording {
    static func words(for reason: ReasonCode) -> (desk: String, customer: String) {
        switch reason {
        case .pinLocked: ("PIN entry is locked at that kiosk after too many wrong PINs.",
                          "Too many wrong PINs. PIN entry is paused for a few minutes; please use your card or ask at the desk.")
        case .codeLocked: ("Member-code entry is locked at that kiosk after too many wrong codes.",
                           "Too many wrong codes. Code scanning is paused for a few minutes; please use your card or ask at the desk.")
        case .unknownCredential: ("Nobody has that card, PIN, code or login.", "We don't recognise that PIN, card or code.")
        case .customerInactive: ("The customer is deactivated.", "Your membership is not active. Please ask at the desk.")
        case .locationFull: ("The location is full.", "Sorry, we are full right now.")
        case .locationClosed: ("The location is closed at this time.", "Sorry, we are closed right now.")
        case .planLocationNotAllowed: ("Their plan does not include this location.", "Your plan does not include this location.")
        case .outsideAccessHours: ("Their plan does not allow access at this time.", "Your plan does not allow access at this time.")
        case .planLimitReached: ("They have used their plan's allowance for this period.", "You have used your plan's allowance for this period.")
        case .noValidPass: ("They have no plan or pass valid here today.", "You have no valid pass for today.")
        case .tokenExpired: ("Their Wi-Fi login is not valid at this time.", "Your Wi-Fi login is not valid at this time.")
        case .tokenUsedUp: ("Their Wi-Fi login has no minutes left.", "Your Wi-Fi login has no minutes left.")
        case .deviceLimitReached: ("Their Wi-Fi login is online on as many devices as it allows.",
                                   "Your Wi-Fi login is already online on as many devices as it allows. Log out on one first.")
        }
    }

    /// The customer's column as JSON, reason code → words, for the kiosk's script.
    static let customerJSON: String = {
        let table = Dictionary(uniqueKeysWithValues: ReasonCode.allCases.map { ($0.rawValue, words(for: $0).customer) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(table)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }()
}
