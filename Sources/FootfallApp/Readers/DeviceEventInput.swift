import Foundation
import NIOCore

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

extension DeviceEventInput {
    /// A reader's usual body, read without Foundation's decoder: one flat JSON object of
    /// `eventId`, `type`, `value` and, if it is there, `at` (an RFC 3339 time), each once, each a
    /// string of printable ASCII without escapes. Anything else (another member, an escape, a
    /// number or `null`, text beyond ASCII, a time that does not parse) is nil, and the body goes
    /// to the API's decoder, whose value or refusal stands; what is read here is what that
    /// decoder reads. Foundation's decoder took about 6 % of a card event's request handling
    /// (`perf`, BENCHMARKS.md, "Session 29").
    init?(plainJSON body: ByteBuffer) {
        guard let members = body.withUnsafeReadableBytes({ bytes in
            var reader = PlainJSONObject(bytes: bytes)
            return reader.members()
        }) else { return nil }
        var eventId: String?, type: String?, value: String?, at: String?
        for (key, text) in members {
            switch key {
            case "eventId" where eventId == nil: eventId = text
            case "type" where type == nil: type = text
            case "value" where value == nil: value = text
            case "at" where at == nil: at = text
            default: return nil
            }
        }
        guard let eventId, let type, let value else { return nil }
        self.init(eventId: eventId, type: type, value: value, at: nil)
        if let at {
            guard let date = RFC3339.parse(at) else { return nil }
            self.at = date
        }
    }
}

/// The members of a JSON object whose keys and values are all strings of printable ASCII
/// without escapes, in order, at most four (as many as `DeviceEventInput` has); nil for any
/// other text.
private struct PlainJSONObject {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    mutating func members() -> [(String, String)]? {
        var members: [(String, String)] = []
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        repeat {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = string() else { return nil }
            members.append((key, value))
            guard members.count <= 4 else { return nil }
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return index == bytes.count ? members : nil
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
