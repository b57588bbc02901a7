import Vapor

/// A field of a PATCH body, where leaving it out and sending `null` mean different things.
enum Patch<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    /// The new value for a field that may be cleared, or the current one when absent.
    func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: current
        case .null: nil
        case .value(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    /// A field that may be left out but, when sent, must not be null (`decodeIfPresent` would
    /// take null for "left out" and silently change nothing).
    func decodeUnlessAbsent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(T.self, forKey: key)
    }

    func decodePatch<T: Decodable & Sendable>(_ type: T.Type, forKey key: Key) throws -> Patch<T> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(T.self, forKey: key))
    }
}
