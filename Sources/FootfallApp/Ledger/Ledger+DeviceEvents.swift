import Fluent
import FootfallCore
import Vapor

/// A credential a device presents.
enum CredentialType: String, Codable, Sendable, CaseIterable {
    case card, pin
    case memberCode = "member_code"

    var method: CheckInMethod {
        switch self {
        case .card: .rfid
        case .pin: .kioskPin
        case .memberCode: .memberCode
        }
    }
}

/// One event from a kiosk, reader or door, as the ledger takes it.
struct DeviceEvent: Sendable {
    var device: DeviceModel
    var eventId: String
    var type: CredentialType
    var value: String
    var at: Date
}

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

extension Ledger {
    /// Applies a device event once. The event and everything it changes are stored in one
    /// transaction before the answer is returned; the same event id again returns the stored
    /// answer, byte for byte, and changes nothing.
    func record(_ event: DeviceEvent) async throws -> String {
        if let stored = try await storedAnswer(event, on: database) { return stored }
        guard let location = try await LocationModel.find(event.device.locationId, on: database) else {
            throw APIError.notFound("location")
        }
        // A card's holder is read before the write, to keep the writer's turn short; PINs and
        // member codes are checked inside it (the lockout counts, and each code works once).
        let cardHolder = event.type == .card ? try await identifyCard(event.value, on: database) : nil
        return try await writer.perform { db in
            if let stored = try await self.storedAnswer(event, on: db) { return stored }
            let identified: Identification
            if let cardHolder { identified = cardHolder } else { identified = try await self.identify(event, on: db) }
            let (answer, credentialKey) = try await self.apply(event, identified, location: location, on: db)
            let json = String(decoding: try RFC3339.jsonEncoder().encode(answer), as: UTF8.self)
            let row = DeviceEventModel()
            row.deviceId = try event.device.requireID()
            row.eventId = event.eventId
            row.at = event.at
            row.customerId = answer.customer?.id
            row.credentialKey = credentialKey
            row.result = answer.result.rawValue
            row.answer = json
            try await row.create(on: db)
            return json
        }
    }

    private func storedAnswer(_ event: DeviceEvent, on db: any Database) async throws -> String? {
        try await DeviceEventModel.query(on: db)
            .filter(\.$deviceId == event.device.requireID()).filter(\.$eventId == event.eventId)
            .first()?.answer
    }

    /// What the event does, and which credential it was when it named one.
    private func apply(_ event: DeviceEvent, _ identified: Identification, location: LocationModel,
                       on db: any Database) async throws -> (DeviceEventAnswer, String?) {
        let device = event.device
        let method = event.type.method
        let customer: CustomerModel
        let credentialKey: String
        switch identified {
        case .customer(let found, let key):
            customer = found
            credentialKey = key
        case .refused(let reason, let credential):
            _ = try await recordFailure(at: event.at, locationId: device.locationId, method: method, deviceId: device.id,
                                        customerId: nil, credential: credential, reason: reason, on: db)
            return (DeviceEventAnswer(result: .refused, reason: reason), nil)
        }
        return (try await act(for: customer, event: event, location: location, credentialKey: credentialKey, on: db), credentialKey)
    }

    /// Double tap, then the device's direction: check in, check out or neither.
    private func act(for customer: CustomerModel, event: DeviceEvent, location: LocationModel, credentialKey: String,
                     on db: any Database) async throws -> DeviceEventAnswer {
        let device = event.device
        let method = event.type.method
        let customerId = try customer.requireID()
        let lastAccepted = try await DeviceEventModel.query(on: db)
            .filter(\.$deviceId == device.requireID()).filter(\.$credentialKey == credentialKey)
            .filter(\.$result ~~ DeviceEventAnswer.Result.accepted.map(\.rawValue))
            .sort(\.$at, .descending).first()
        if DoubleTap.isRepeat(lastAccepted: lastAccepted?.at, at: event.at) {
            return DeviceEventAnswer(result: .ignoredRepeat, customer: Self.reference(customer))
        }

        try await closeDue(at: clock.now(), customerId: customerId, on: db)
        let open = try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedOutAt == nil).first()
        let direction = Direction(rawValue: device.direction) ?? .toggle
        switch DeviceAction(direction: direction, isInHere: open?.locationId == location.id) {
        case .notCheckedIn:
            return DeviceEventAnswer(result: .notCheckedIn, customer: Self.reference(customer))
        case .checkOut:
            let visit = open!
            _ = try await close(visit, at: max(event.at, visit.checkedInAt), method: method, on: db)
            return DeviceEventAnswer(result: .checkedOut, customer: Self.reference(customer), checkIn: CheckInDTO(visit))
        case .checkIn:
            let attempt = Attempt(customer: customer, location: location, at: event.at, method: method, deviceId: device.id)
            switch try await admit(attempt, on: db) {
            case .checkedIn(let visit):
                return DeviceEventAnswer(result: .checkedIn, customer: Self.reference(customer), checkIn: CheckInDTO(visit))
            case .alreadyIn(let visit):
                return DeviceEventAnswer(result: .alreadyIn, customer: Self.reference(customer), checkIn: CheckInDTO(visit))
            case .refused(let reason, _):
                return DeviceEventAnswer(result: .refused, reason: reason, customer: Self.reference(customer))
            }
        }
    }

    enum Identification: Sendable {
        case customer(CustomerModel, credentialKey: String)
        /// With what a failed check-in may keep of the credential.
        case refused(ReasonCode, credential: String?)
    }

    /// Finds whose credential this is; PIN entry is refused first if the kiosk is locked, so a
    /// locked kiosk tells nobody whether a PIN exists.
    private func identify(_ event: DeviceEvent, on db: any Database) async throws -> Identification {
        switch event.type {
        case .pin:
            let wrong = try await FailedCheckInModel.query(on: db)
                .filter(\.$deviceId == event.device.requireID())
                .filter(\.$method == CheckInMethod.kioskPin.rawValue)
                .filter(\.$reason == ReasonCode.unknownCredential.rawValue)
                .filter(\.$at >= event.at - PinLockout.lookBack)
                .all(\.$at)
            if PinLockout.lockedUntil(wrongAttempts: wrong, at: event.at) != nil { return .refused(.pinLocked, credential: nil) }
            let digest = SecretToken.keyedDigest(event.value, key: try await ServerSecretModel.value(ServerSecretModel.pinKey, on: db))
            guard let customer = try await CustomerModel.query(on: db).filter(\.$pinHash == digest).first() else {
                return .refused(.unknownCredential, credential: nil)
            }
            return .customer(customer, credentialKey: "pin:\(try customer.requireID())")

        case .card:
            return try await identifyCard(event.value, on: db)

        case .memberCode:
            guard let code = MemberCode(event.value), let customer = try await CustomerModel.find(code.customerId, on: db),
                  let step = MemberCode.totp(secret: customer.memberSecret).matchingCounter(code.code, at: event.at),
                  step > (customer.memberCodeStep ?? .min)
            else { return .refused(.unknownCredential, credential: nil) }
            customer.memberCodeStep = step
            try await customer.update(on: db)
            return .customer(customer, credentialKey: "member_code:\(try customer.requireID())")
        }
    }

    /// The holder of the card a reader reported, trying each reading of what it sent.
    private func identifyCard(_ presented: String, on db: any Database) async throws -> Identification {
        for reading in CardNumber.readings(of: presented) {
            guard let key = try await CardKeyModel.query(on: db).filter(\.$key == reading.hex).first(),
                  let card = try await CardModel.find(key.cardId, on: db),
                  let customer = try await CustomerModel.find(card.customerId, on: db)
            else { continue }
            return .customer(customer, credentialKey: "card:\(try card.requireID())")
        }
        return .refused(.unknownCredential, credential: CardNumber.masked(presented))
    }

    private static func reference(_ customer: CustomerModel) -> DeviceEventAnswer.Customer {
        DeviceEventAnswer.Customer(id: customer.id!, name: customer.name)
    }
}
