import Foundation

struct DeviceEventInput: Decodable, Sendable {
    var eventId: String
    var type: String
    var value: String
    var at: Date?

    func validated() throws -> (eventId: String, type: CredentialType, value: String) {
        let eventId = eventId.trimming(.whitespaces)
        guard !eventId.isEmpty, eventId.count <= 200 else {
            throw APIError.invalidRequest(field: "eventId", detail: "must be 1 to 200 characters.")
        }
        guard let type = CredentialType(rawValue: type), CredentialType.deviceEventTypes.contains(type) else {
            throw APIError.invalidRequest(field: "type", detail: "must be card, pin or member_code.")
        }
        let value = value.trimming(.whitespacesAndNewlines)
        guard !value.isEmpty, value.count <= 200 else {
            throw APIError.invalidRequest(field: "value", detail: "must be 1 to 200 characters.")
        }
        return (eventId, type, value)
    }
}
