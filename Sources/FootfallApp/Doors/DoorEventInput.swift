import FootfallCore
import Foundation

/// A door unlock as the generic webhook carries it.
struct DoorEventInput: Decodable, Sendable {
    struct User: Decodable, Sendable {
        var externalId: String?
        var email: String?
    }

    var eventId: String
    var occurredAt: Date
    var doorId: String
    var user: User

    func validated() throws -> DoorEvent {
        let user = try DoorEvent.User(system: "generic", externalId: user.externalId, email: user.email, name: nil)
        return DoorEvent(eventId: try Check.nonEmpty(eventId, "eventId"), occurredAt: occurredAt,
                         doorId: try Check.nonEmpty(doorId, "doorId"), user: user)
    }
}

/// Kisi's event webhook payload: the fields Footfall reads; Kisi sends more, which are ignored.
struct KisiEventInput: Decodable, Sendable {
    var uuid: String
    var type: String
    var success: Bool?
    var actorId: LooseIdentifier?
    var actorName: String?
    var actorEmail: String?
    var objectId: LooseIdentifier?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case uuid, type, success
        case actorId = "actor_id", actorName = "actor_name", actorEmail = "actor_email"
        case objectId = "object_id", createdAt = "created_at"
    }

    /// The unlock it reports, or nil for an event that means nothing to check-ins (another
    /// type, a failed unlock, an unlock by no user).
    func validated() throws -> DoorEvent? {
        let eventId = try Check.nonEmpty(uuid, "uuid")
        guard type == "lock.unlock", success == true, let objectId, actorId != nil || actorEmail != nil else { return nil }
        let user = try DoorEvent.User(system: "kisi", externalId: actorId?.text, email: actorEmail, name: actorName)
        return DoorEvent(eventId: eventId, occurredAt: createdAt, doorId: objectId.text, user: user)
    }
}

/// An id a JSON sender may write as a number or a string (Kisi's ids are numbers).
struct LooseIdentifier: Decodable, Sendable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }
}

/// A door unlock by a door system's user, from either webhook, checked.
struct DoorEvent: Sendable {
    struct User: Sendable {
        var system: String
        var externalId: String?
        var email: String?
        /// The name the door system knows them by, for an admin reading a failed check-in.
        var name: String?

        init(system: String, externalId: String?, email: String?, name: String?) throws {
            self.system = system
            self.externalId = externalId.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            self.email = email.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
            self.name = name
            guard self.externalId != nil || self.email != nil else {
                throw APIError.invalidRequest(field: "user", detail: "needs an externalId or an email.")
            }
        }

        /// What a failed check-in keeps of an unknown user, so that an admin can link them.
        var presented: String {
            let id = externalId.map { "\(system):\($0)" } ?? email ?? ""
            return String((name.map { "\(id) \($0)" } ?? id).prefix(200))
        }
    }

    var eventId: String
    var occurredAt: Date
    var doorId: String
    var user: User
}
