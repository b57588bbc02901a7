@testable import FootfallApp
import Foundation
import NIOCore
import Testing
import TestSupport

/// `DeviceEventInput(plainJSON:)`, the direct reader of a reader's usual body, reads what the
/// API's decoder reads, and leaves everything else to that decoder.
@Suite("Device event bodies read directly")
struct DeviceEventInputTests {
    private static func decoded(_ text: String) -> DeviceEventInput? {
        try? TextOnlyJSONDecoder.api.decode(DeviceEventInput.self, from: ByteBuffer(string: text), headers: [:])
    }

    private static func same(_ a: DeviceEventInput, _ b: DeviceEventInput) -> Bool {
        a.eventId == b.eventId && a.type == b.type && a.value == b.value && a.at == b.at
    }

    @Test func aReadersUsualBodyIsReadDirectly() throws {
        let bodies = [
            #"{"eventId":"1701-3-77","type":"card","value":"0403001D80"}"#,
            #"{ "type": "pin", "value": "4821", "eventId": "k-9" }"#,
            "{\n\t\"eventId\": \"e 1\",\r\n \"type\": \"member_code\", \"value\": \"FF-1\", \"at\": \"2026-11-30T09:15:00.250+01:00\"\n}\n",
        ]
        for body in bodies {
            let direct = try #require(DeviceEventInput(plainJSON: ByteBuffer(string: body)), "\(body)")
            let decoded = try #require(Self.decoded(body))
            #expect(Self.same(direct, decoded), "\(body)")
        }
        let timed = try #require(DeviceEventInput(plainJSON: ByteBuffer(string: bodies[2])))
        #expect(timed.at == Date(timeIntervalSince1970: 1_796_026_500.25))
    }

    /// Bodies near a reader's usual one (members missing, repeated with another value or
    /// unknown, escaped keys, escapes, numbers, `null`, non-ASCII text, DEL and control
    /// characters, whitespace JSON does not allow, bad times, broken syntax, bytes after the end): whatever the direct
    /// reader reads, the API's decoder reads the same; the rest it leaves (nil).
    @Test func readingDirectlyAgreesWithTheAPIDecoder() {
        var random = SeededGenerator.fromEnvironment()
        let values = [#""e-1""#, #""card""#, #""04A1B2C380""#, #""2026-11-30T09:00:00Z""#, #""2026-13-01T00:00:00Z""#,
                      #""x\"y""#, #""a\\b""#, #""\u0041""#, #""\u0000""#, #""é""#, "\"tab\there\"", #""""#, #"" ""#,
                      "42", "null", "true", "[]", "{}", #""unterminated"#, "\"del\u{7F}\"", "\"bell\u{07}\""]
        let spaces = ["", " ", "\n", "\t", "\r\n", "\u{A0}", "\u{0C}", "\u{0B}", "\u{FEFF}"]
        var readDirectly = 0
        for _ in 0..<20_000 {
            func space() -> String { Int.random(in: 0..<3, using: &random) == 0 ? spaces.randomElement(using: &random)! : "" }
            func member(_ key: String, _ plain: String) -> String {
                let value = Int.random(in: 0..<3, using: &random) == 0 ? values.randomElement(using: &random)! : plain
                return "\(space())\"\(key)\"\(space()):\(space())\(value)\(space())"
            }
            var members = [member("eventId", #""r-\#(random.next() % 1000)""#), member("type", #""card""#), member("value", #""0403001D80""#)]
            switch Int.random(in: 0..<8, using: &random) {
            case 0: members.remove(at: Int.random(in: 0..<members.count, using: &random))
            case 1: members.append(member(["eventId", "type", "value"].randomElement(using: &random)!, #""other""#))
            case 2: members.append(member(["extra", "EventId", #"event\u0049d"#, "at"].randomElement(using: &random)!, #""zz""#))
            case 3, 4: members.append(member("at", #""2026-11-30T09:00:00.5-05:00""#))
            default: break
            }
            members.shuffle(using: &random)
            var body = "{" + members.joined(separator: ",") + "}"
            switch Int.random(in: 0..<12, using: &random) {
            case 0: body.removeLast()
            case 1: body += ","
            case 2: body = " " + body + "\n"
            case 3: body = body.replacingOccurrences(of: ",", with: ",,")
            case 4: body += ["x", "{}", "\u{0}"].randomElement(using: &random)!
            default: break
            }
            let direct = DeviceEventInput(plainJSON: ByteBuffer(string: body))
            guard let direct else { continue }
            readDirectly += 1
            let decoded = Self.decoded(body)
            #expect(decoded.map { Self.same(direct, $0) } == true, "\(body.debugDescription) (seed \(random.seed))")
        }
        #expect(readDirectly > 200, "seed \(random.seed)")
    }
}
