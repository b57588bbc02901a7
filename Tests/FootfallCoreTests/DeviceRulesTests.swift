import Foundation
import FootfallCore
import Testing

@Suite("Card numbers, directions, double taps and PIN lockout")
struct DeviceRulesTests {
    /// One card (UID 01:02:6F:6C:3A) as different readers report it.
    static let readerOutputs: [(output: String, reader: String)] = [
        ("01026F6C3A", "hex, upper case"),
        ("01026f6c3a", "hex, lower case"),
        ("01:02:6F:6C:3A", "hex with colons"),
        ("01-02-6f-6c-3a", "hex with dashes"),
        ("01 02 6F 6C 3A", "hex with spaces"),
        ("004335823930", "decimal, 12 digits"),
        ("4335823930", "decimal without leading zeros"),
        ("026F6C3A", "8 hex digits"),
        ("0040856634", "10 decimal digits"),
        ("40856634", "8 decimal digits"),
        ("111,27706", "Wiegand FC,CN"),
        ("111:27706", "Wiegand FC:CN"),
        ("07302202", "Wiegand as FC×65536+CN"),
        ("3A6C6F0201", "byte-reversed UID"),
        ("3A6C6F02", "byte-reversed, 4 bytes"),
        ("980184834", "byte-reversed, 4 bytes, decimal"),
    ]

    @Test(arguments: readerOutputs.map(\.output))
    func everyReaderOutputMatchesTheCard(_ output: String) {
        let card = CardNumber("01:02:6F:6C:3A")!
        let readings = CardNumber.readings(of: output)
        #expect(readings.contains { card.matchKeys.contains($0.hex) }, "\(output) read as \(readings.map(\.hex))")
    }

    /// Digits that are hex digits to Unicode but not to a radix-16 parse (full-width ones) are no
    /// card number; they used to trap when the card's match keys were worked out.
    @Test func fullWidthDigitsAreNoCardNumber() {
        for text in ["１２", "0A０B", "１２３４５６７８"] {
            #expect(CardNumber(text) == nil, "\(text)")
            #expect(CardNumber(text, format: .hex) == nil, "\(text)")
            #expect(CardNumber.readings(of: text).allSatisfy { !$0.matchKeys.isEmpty })
        }
    }

    @Test func anotherCardDoesNotMatch() {
        let card = CardNumber("01:02:6F:6C:3A")!
        for output in ["01026F6C3B", "111,27707", "0040856635"] {
            #expect(!CardNumber.readings(of: output).contains { card.matchKeys.contains($0.hex) }, "\(output)")
        }
    }

    @Test func directions() {
        #expect(DeviceAction(direction: .in, isInHere: true) == .checkIn)
        #expect(DeviceAction(direction: .in, isInHere: false) == .checkIn)
        #expect(DeviceAction(direction: .out, isInHere: true) == .checkOut)
        #expect(DeviceAction(direction: .out, isInHere: false) == .notCheckedIn)
        #expect(DeviceAction(direction: .toggle, isInHere: true) == .checkOut)
        #expect(DeviceAction(direction: .toggle, isInHere: false) == .checkIn)
    }

    @Test func doubleTapWindowIsThirtySeconds() {
        let tap = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DoubleTap.isRepeat(lastAccepted: tap, at: tap + 29.9))
        #expect(!DoubleTap.isRepeat(lastAccepted: tap, at: tap + 30))
        #expect(!DoubleTap.isRepeat(lastAccepted: nil, at: tap))
    }

    @Test func fiveWrongPinsInTenMinutesLockForTenMinutes() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let four = (0..<4).map { start + Double($0) * 60 }
        #expect(GuessLockout.lockedUntil(wrongAttempts: four, at: start + 300) == nil)
        let five = four + [start + 540]
        #expect(GuessLockout.lockedUntil(wrongAttempts: five, at: start + 541) == start + 1140)
        #expect(GuessLockout.lockedUntil(wrongAttempts: five, at: start + 1139) == start + 1140)
        #expect(GuessLockout.lockedUntil(wrongAttempts: five, at: start + 1140) == nil)
        // Five spread over more than ten minutes lock nothing.
        let spread = (0..<5).map { start + Double($0) * 151 }
        #expect(GuessLockout.lockedUntil(wrongAttempts: spread, at: start + 700) == nil)
    }

    @Test func aFreshRunOfWrongPinsAfterALockLocksAgain() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let first = (0..<5).map { start + Double($0) * 10 }
        let second = (0..<5).map { start + 700 + Double($0) * 10 }
        #expect(GuessLockout.lockedUntil(wrongAttempts: first + second, at: start + 750) == start + 1340)
        #expect(GuessLockout.lockedUntil(wrongAttempts: first + Array(second.prefix(4)), at: start + 750) == nil)
    }
}
