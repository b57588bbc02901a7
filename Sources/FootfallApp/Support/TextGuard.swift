import Foundation
import NIOCore
import Vapor

/// Text with the NUL character (U+0000) in it is refused with 400 before it reaches a handler:
/// PostgreSQL cannot store it (and would fail the request with 500), SQLite would store it and
/// then compare it differently. Checked in the path's parameters and the query here, and in
/// JSON bodies by `TextOnlyJSONDecoder`; form posts' values reach PostgreSQL's own refusal,
/// which `ProblemMiddleware` answers with 400 too.
///
/// Of the path, only what the route matched as parameters can reach a handler (no route has a
/// `*` or `**` component; a NUL in a path no route matches is answered 404, or 400 when the
/// router had taken it as a parameter before finding no route): Vapor's `URI.path` builds the
/// path anew, through Foundation's `replacingOccurrences`, on every call, and asking for it
/// here cost about 1 % of the server's CPU under card load (`perf`); the router has asked for
/// it once already.
///
/// A `Middleware` rather than an `AsyncMiddleware`, as are `ProblemMiddleware` and
/// `HTTPMetricsMiddleware`, which every request also passes: Vapor runs each `AsyncMiddleware` in
/// a task of its own, and three of them cost every request three tasks and their hand-overs
/// between threads.
struct TextGuardMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let parameters = request.parameters
        let inPath = parameters.allNames.contains { parameters.get($0).map(Self.containsNUL) ?? false }
            || parameters.getCatchall().contains(where: Self.containsNUL)
        guard inPath || Self.containsNUL(request.url.query ?? "") else { return next.respond(to: request) }
        return request.eventLoop.makeFailedFuture(APIError.invalidRequest(field: inPath ? "path" : "query", detail: "must not contain the NUL character."))
    }

    /// Whether the text has a NUL in it, as it is or percent-encoded. Only `%00` decodes to a NUL,
    /// and it is looked for as it stands: decoding the whole path or query first missed it when
    /// another escape in the same text did not decode (`?q=%00&x=%FF`: the whole text does not
    /// decode, while Vapor decodes each value on its own and handed `q` over with its NUL).
    /// One pass over the bytes: `Sequence.contains` of a subsequence went through the regex
    /// engine's generic search, about 5 % of a card event's request handling.
    static func containsNUL(_ text: String) -> Bool {
        var lastTwo: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            if byte == 0 || (byte == UInt8(ascii: "0") && lastTwo == (UInt8(ascii: "%"), UInt8(ascii: "0"))) { return true }
            lastTwo = (lastTwo.1, byte)
        }
        return false
    }
}

/// The API's JSON decoder, refusing strings with the NUL character (`\u0000`) in them.
struct TextOnlyJSONDecoder: ContentDecoder {
    let base: JSONDecoder

    /// The decoder `configure` gives Vapor for `application/json` bodies.
    static let api = TextOnlyJSONDecoder(base: RFC3339.jsonDecoder())

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        try decode(D.self, from: body, headers: headers, userInfo: [:])
    }

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders,
                              userInfo: [CodingUserInfoKey: any Sendable]) throws -> D {
        if Self.containsNUL(body.readableBytesView) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Text must not contain the NUL character (\\u0000)."))
        }
        return try base.decode(D.self, from: body, headers: headers, userInfo: userInfo)
    }

    /// Whether the JSON text has a `\u0000` escape (one not itself escaped as `\\u0000`).
    static func containsNUL(_ bytes: some Collection<UInt8>) -> Bool {
        let escape = Array("u0000".utf8)
        var backslashes = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                backslashes += 1
            } else {
                if backslashes % 2 == 1, byte == UInt8(ascii: "u"), bytes[index...].prefix(5).elementsEqual(escape) { return true }
                backslashes = 0
            }
            index = bytes.index(after: index)
        }
        return false
    }
}

extension Request {
    /// The JSON body as `content.decode` reads it, with the same decoder, for the API's routes:
    /// a body sent as plain `application/json` goes straight to the API's decoder.
    /// `content.decode` parses the `Content-Type` header into a media type and looks its decoder
    /// up in the global configuration (a lock and a copy of it) on every request, about 7 % of
    /// a card event's request handling, and 9 % of an admin write's handler. Any other content
    /// type, or none, takes Vapor's way, with its answers.
    ///
    /// `readingDirectly`: a reader of its own for a plain `application/json` body, tried first;
    /// where it reads nothing (nil) the API's decoder reads the body. It stands in for
    /// `TextOnlyJSONDecoder`, so it must read only what that decoder reads the same way, and never
    /// a NUL: it refuses every escape (`\`) and every byte below 0x20, as
    /// `DeviceEventInput(plainJSON:)` does.
    func decodeJSONBody<D: Decodable>(_ type: D.Type, readingDirectly read: ((ByteBuffer) -> D?)? = nil) throws -> D {
        let contentTypes = headers[.contentType]
        if contentTypes.count == 1, contentTypes[0] == "application/json", let body = body.data {
            if let value = read?(body) { return value }
            return try TextOnlyJSONDecoder.api.decode(D.self, from: body, headers: headers)
        }
        return try content.decode(D.self)
    }
}
