import Fluent
import SQLKit
import FootfallCore
import Vapor

/// A credential a device presents.
enum CredentialType: String, Codable, Sendable, CaseIterable {
    case card, pin
    case memberCode = "member_code"
    /// A door system's user who unlocked a door (see `DoorUnlock`).
    case door

    /// What kiosks and readers may send to `POST /devices/{id}/events`.
    static let deviceEventTypes: [CredentialType] = [.card, .pin, .memberCode]

    var method: CheckInMethod {
        switch self {
        case .card: .rfid
        case .pin: .kioskPin
        case .memberCode: .memberCode
        case .door: .door
        }
    }
}

/// A door unlocked by a door system's user, at a door the device maps to a direction.
struct DoorUnlock: Sendable {
    /// `generic` or `kisi`: whose ids `externalId` is.
    var system: String
    var externalId: String?
    /// Lower case; the customer is matched by it when no external id matches.
    var email: String?
    var direction: Direction
}

/// One event from a kiosk, reader or door, as the ledger takes it.
struct DeviceEvent: Sendable {
    var device: DeviceModel
    var eventId: String
    var type: CredentialType
    /// The card number, PIN or member code; for doors, what a failed check-in shows of the user.
    var value: String
    var at: Date
    /// Whether `at` is the device's own (else it is when the event came in).
    var stamped = false
    var door: DoorUnlock? = nil

    /// A door's own direction, else the device's.
    var direction: Direction { door?.direction ?? Direction(rawValue: device.direction) ?? .toggle }
}
