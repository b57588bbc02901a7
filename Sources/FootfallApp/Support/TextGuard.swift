import Foundation
import NIOCore
import Vapor

/// Text with the NUL character (U+0000) in it is refused with 400 before it reaches a handler:
/// PostgreSQL cannot store it (and would fail the request with 500), SQLite would store it and
/// then compare it differently. Checked in the path and query here, and in JSON bodies by
/// `TextOnlyJSONDecoder`; form posts' values reach PostgreSQL's own refusal, which
/// `ProblemMiddleware` answers with 400 too.
struct TextGuardMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        for (part, text) in [("path", request.url.path), ("query", request.url.query ?? "")] where Self.containsNUL(text) {
            throw APIError.invalidRequest(field: part, detail: "must not contain the NUL character.")
        }
        return try await next.respond(to: request)
    }

    /// Whether the text has a NUL in it, as it is or percent-encoded. Only `%00` decodes to a NUL,
    /// and it is looked for as it stands: decoding the whole path or query first missed it when
    /// another escape in the same text did not decode (`?q=%00&x=%FF`: the whole text does not
    /// decode, while Vapor decodes each value on its own and handed `q` over with its NUL).
    static func containsNUL(_ text: String) -> Bool {
        text.utf8.contains(0) || text.utf8.contains(encodedNUL)
    }

    private static let encodedNUL = Array("%00".utf8)
}

/// The API's JSON decoder, refusing strings with the NUL character (`\u0000`) in them.
struct TextOnlyJSONDecoder: ContentDecoder {
    let base: JSONDecoder

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
