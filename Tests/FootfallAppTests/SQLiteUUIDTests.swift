@testable import FootfallApp
import Foundation
import SQLiteKit
import Testing
import TestSupport

@Suite("UUIDs and optionals bound and read on SQLite directly")
struct SQLiteUUIDTests {
    @Test func uuidTextIsFoundationsEitherWay() {
        var random = SeededGenerator.fromEnvironment()
        for _ in 0..<5_000 {
            let id = random.uuid()
            #expect(id.canonicalText == id.uuidString, "seed \(random.seed)")
            #expect(UUID(text: id.uuidString) == id, "seed \(random.seed)")
            #expect(UUID(text: id.uuidString.lowercased()) == id, "seed \(random.seed)")
        }
    }

    /// Texts near a UUID's (a character replaced, dropped or added, braces, spaces, a NUL, a
    /// non-ASCII letter): a UUID's own text, in either case, is read as Foundation reads it, and
    /// anything else is not read as a UUID. (Foundation reads each pair of digits with `sscanf`'s
    /// `%2hhx`, which also takes a sign or a space: "41-7" as 41 F9. No text the ledger writes
    /// has one; reading refuses it.)
    @Test func readingAgreesWithFoundationOnTextsNearAUUID() {
        var random = SeededGenerator.fromEnvironment()
        let pool: [Character] = ["0", "9", "a", "f", "A", "F", "g", "G", "-", " ", "{", "}", "\u{0}", "é", "\u{FF10}", "x"]
        for _ in 0..<20_000 {
            var text = Array(random.uuid().uuidString)
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let at = Int.random(in: 0..<text.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: text[at] = pool.randomElement(using: &random)!
                case 1: text.remove(at: at)
                default: text.insert(pool.randomElement(using: &random)!, at: Int.random(in: 0...text.count, using: &random))
                }
            }
            let string = String(text)
            let foundations = UUID(uuidString: string)
            let isItsText = foundations.map { string.uppercased() == $0.uuidString } ?? false
            #expect(UUID(text: string) == (isItsText ? foundations : nil), "\(string.debugDescription) (seed \(random.seed))")
        }
    }

    /// The stored form does not change: a UUID is the text `Encodable` gives it, an optional is
    /// NULL or its value; reading refuses, with a decoding error, what is not a UUID's text.
    @Test func theStoredFormIsTheEncodableOne() throws {
        // The direct path, which this is about: SQLiteKit takes it for these types only.
        #expect(UUID.self is any SQLiteDataConvertible.Type)
        #expect(UUID?.self is any SQLiteDataConvertible.Type)
        #expect(Date?.self is any SQLiteDataConvertible.Type)
        let id = UUID()
        let encoder = SQLiteDataEncoder(), decoder = SQLiteDataDecoder()
        #expect(try encoder.encode(id) == .text(id.uuidString))
        #expect(try encoder.encode(Optional(id)) == .text(id.uuidString))
        #expect(try encoder.encode(UUID?.none) == .null)
        #expect(try encoder.encode(Optional("text")) == .text("text"))
        #expect(try encoder.encode(Int?.none) == .null)
        #expect(try decoder.decode(UUID.self, from: .text(id.uuidString.lowercased())) == id)
        #expect(try decoder.decode(UUID?.self, from: .null) == nil)
        #expect(try decoder.decode(UUID?.self, from: .text(id.uuidString)) == id)
        #expect(try decoder.decode(Date?.self, from: .float(0)) == Date(timeIntervalSince1970: 0))
        #expect(throws: DecodingError.self) { try decoder.decode(UUID.self, from: .text("not a uuid")) }
        #expect(throws: DecodingError.self) { try decoder.decode(UUID.self, from: .integer(1)) }
        #expect(throws: DecodingError.self) { try decoder.decode(UUID.self, from: .null) }
        #expect(throws: DecodingError.self) { try decoder.decode(UUID?.self, from: .text("not a uuid")) }
    }
}

private extension SeededGenerator {
    mutating func uuid() -> UUID {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { bytes in
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0 ... .max, using: &self) }
        }
        return UUID(uuid: value)
    }
}
