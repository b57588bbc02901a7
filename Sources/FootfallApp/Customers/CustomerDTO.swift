import Vapor

struct CustomerDTO: WireObject {
    var id: UUID
    var name: String
    var email: String
    var planId: UUID?
    var active: Bool
    var hasPin: Bool
    /// `member`, or `visitor` (made with a printed visitor token).
    var kind: String
    var payAsYouGo: RateDTO?

    init(_ model: CustomerModel) {
        id = model.id!
        name = model.name
        email = model.email
        planId = model.planId
        active = model.active
        hasPin = model.pinHash != nil
        kind = model.kind
        payAsYouGo = model.payAsYouGo.rate.map(RateDTO.init)
    }
}

struct CustomerInput: Decodable, Sendable {
    var name: String?
    var email: String?
    var planId: Patch<UUID>
    var active: Bool?
    var payAsYouGo: Patch<RateDTO>

    enum CodingKeys: String, CodingKey { case name, email, planId, active, payAsYouGo }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeUnlessAbsent(String.self, forKey: .name)
        email = try container.decodeUnlessAbsent(String.self, forKey: .email)
        planId = try container.decodePatch(UUID.self, forKey: .planId)
        active = try container.decodeUnlessAbsent(Bool.self, forKey: .active)
        payAsYouGo = try container.decodePatch(RateDTO.self, forKey: .payAsYouGo)
    }

    func apply(to model: CustomerModel, creating: Bool) throws {
        if creating {
            guard name != nil else { throw APIError.invalidRequest(field: "name", detail: "is required.") }
            guard email != nil else { throw APIError.invalidRequest(field: "email", detail: "is required.") }
        }
        if let name { model.name = try Check.nonEmpty(name, "name") }
        if let email { model.email = try Self.normalizedEmail(email) }
        model.planId = planId.applied(to: model.planId)
        if let active { model.active = active } else if creating { model.active = true }
        if creating { model.kind = CustomerKind.member.rawValue }
        try payAsYouGo.apply(to: model.payAsYouGo)
    }

    static func normalizedEmail(_ email: String) throws -> String {
        let value = email.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !value.contains(" "), value.count <= 254 else {
            throw APIError.invalidRequest(field: "email", detail: "is not an email address.")
        }
        return value
    }
}

struct PinInput: Decodable, Sendable {
    var pin: String

    func validated() throws -> String {
        guard (4...8).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIError.invalidRequest(field: "pin", detail: "must be 4 to 8 digits.")
        }
        return pin
    }
}
