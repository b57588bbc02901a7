import Vapor

struct CheckInDTO: WireObject {
    var id: UUID
    var customerId: UUID
    var locationId: UUID
    var checkedInAt: Date
    var checkedOutAt: Date?
    var method: String
    var checkOutMethod: String?
    var deviceId: UUID?
    var admittedBy: AdmittedBy

    init(_ visit: some CheckInColumns) {
        id = visit.visitId
        customerId = visit.customerId
        locationId = visit.locationId
        checkedInAt = visit.checkedInAt
        checkedOutAt = visit.checkedOutAt
        method = visit.method
        checkOutMethod = visit.checkOutMethod
        deviceId = visit.deviceId
        admittedBy = visit.admittedBy
    }

    private enum Key: String, CodingKey {
        case id, customerId, locationId, checkedInAt, checkedOutAt, method, checkOutMethod, deviceId, admittedBy
    }

    /// Written out rather than reflected: a check-in is in every device answer, on the hot path.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
        try container.encode(customerId, forKey: .customerId)
        try container.encode(locationId, forKey: .locationId)
        try container.encode(checkedInAt, forKey: .checkedInAt)
        try container.encode(checkedOutAt, forKey: .checkedOutAt)
        try container.encode(method, forKey: .method)
        try container.encode(checkOutMethod, forKey: .checkOutMethod)
        try container.encode(deviceId, forKey: .deviceId)
        try container.encode(admittedBy, forKey: .admittedBy)
    }
}

/// What admitted a visit, on the wire: `{"plan": id}`, `{"pass": id}`, `{"accessToken": id}`,
/// `{"payAsYouGo": true}`, or `{}` for a visit whose entitlement retention has removed.
enum AdmittedBy: Encodable, Equatable, Sendable {
    case plan(UUID), pass(UUID), accessToken(UUID), payAsYouGo, nothing

    private enum Key: String, CodingKey { case plan, pass, accessToken, payAsYouGo }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .plan(let id): try container.encode(id, forKey: .plan)
        case .pass(let id): try container.encode(id, forKey: .pass)
        case .accessToken(let id): try container.encode(id, forKey: .accessToken)
        case .payAsYouGo: try container.encode(true, forKey: .payAsYouGo)
        case .nothing: break
        }
    }
}

struct FailedCheckInDTO: WireObject {
    var id: UUID
    var at: Date
    var locationId: UUID
    var method: String
    var deviceId: UUID?
    var customerId: UUID?
    var credential: String?
    var reason: String

    init(_ model: FailedCheckInModel) {
        id = model.id!
        at = model.at
        locationId = model.locationId
        method = model.method
        deviceId = model.deviceId
        customerId = model.customerId
        credential = model.credential
        reason = model.reason
    }
}

struct PresenceDTO: WireObject {
    struct Person: WireObject {
        struct Customer: WireObject {
            var id: UUID
            var name: String
        }
        var checkInId: UUID
        var customer: Customer
        var checkedInAt: Date
        var method: String
    }

    var locationId: UUID
    var count: Int
    var capacity: Int?
    var items: [Person]
}

struct CheckInInput: Decodable, Sendable {
    var customerId: UUID
    var locationId: UUID
    var at: Date?
}

struct CheckOutInput: Decodable, Sendable {
    var at: Date?
}

struct CheckInEdit: Decodable, Sendable {
    var checkedInAt: Date?
    var checkedOutAt: Date?
}
