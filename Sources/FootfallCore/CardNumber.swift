import Foundation

/// An RFID card number in one canonical form (upper-case hex of the value, an even number of
/// digits), whichever way a reader or an admin wrote it.
public struct CardNumber: Hashable, Sendable, CustomStringConvertible {
    public enum Format: String, Sendable, CaseIterable {
        /// Wiegand `FC:CN` / `FC,CN` when it looks like one, decimal when all digits, else hex.
        case auto
        /// Hex digits in any case, with or without `:`, `-` or space between bytes.
        case hex
        case decimal
        /// Facility code (0–255) and card number (0–65535): `FC:CN` or `FC,CN`.
        case wiegand26
    }

    public let hex: String

    public init?(_ text: String, format: Format = .auto) {
        guard let text = Self.asciiTrimmed(text) else { return nil }
        switch format {
        case .hex: guard let value = Self.fromHex(text) else { return nil }; hex = value
        case .decimal: guard let value = Self.fromDecimal(text) else { return nil }; hex = value
        case .wiegand26: guard let value = Self.fromWiegand(text) else { return nil }; hex = value
        case .auto:
            guard let value = Self.fromWiegand(text) ?? Self.fromDecimal(text) ?? Self.fromHex(text) else { return nil }
            hex = value
        }
    }

    public var description: String { hex }

    /// The last four characters, all that a failed check-in keeps of a card.
    public static func masked(_ presented: String) -> String {
        let visible = presented.filter { !$0.isWhitespace }.suffix(4)
        return "…" + visible
    }

    /// The text without white space at either end (tabs and Unicode spaces, as
    /// `CharacterSet.whitespaces` has them), as bytes; nil when anything else in it is not ASCII,
    /// which no form takes (`isHexDigit` and `isNumber` are also true of full-width digits). Every
    /// form is parsed from these bytes: a reader's tap goes through here, and Character by
    /// Character it cost a few percent of the request.
    private static func asciiTrimmed(_ text: String) -> ArraySlice<UInt8>? {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var bytes = ArraySlice(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 }) {
            bytes = ArraySlice(text.trimmingCharacters(in: .whitespaces).utf8)
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        }
        while let first = bytes.first, isBlank(first) { bytes.removeFirst() }
        while let last = bytes.last, isBlank(last) { bytes.removeLast() }
        return bytes
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func fromHex(_ text: ArraySlice<UInt8>) -> String? {
        let digits = text.filter { $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
            .map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) ? $0 - 32 : $0 }
        guard !digits.isEmpty, digits.count <= 32,
              digits.allSatisfy({ isDigit($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }) else { return nil }
        return padded(String(decoding: digits.drop { $0 == UInt8(ascii: "0") }, as: UTF8.self))
    }

    private static func fromDecimal(_ text: ArraySlice<UInt8>) -> String? {
        guard !text.isEmpty, text.count <= 20, text.allSatisfy(isDigit), let value = UInt64(String(decoding: text, as: UTF8.self)) else { return nil }
        return padded(String(value, radix: 16, uppercase: true))
    }

    private static func fromWiegand(_ text: ArraySlice<UInt8>) -> String? {
        let parts = text.split(whereSeparator: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ",") })
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 5 && $0.allSatisfy(isDigit) }),
              let facility = Int(String(decoding: parts[0], as: UTF8.self)), let number = Int(String(decoding: parts[1], as: UTF8.self)),
              (0...255).contains(facility), (0...65535).contains(number)
        else { return nil }
        return padded(String(facility * 65536 + number, radix: 16, uppercase: true))
    }

    private static func padded(_ digits: String) -> String {
        let digits = digits.isEmpty ? "0" : digits
        return digits.count.isMultiple(of: 2) ? digits : "0" + digits
    }
}

extension CardNumber {
    /// Every form under which a reader may report this card: the whole UID, its low four bytes
    /// (readers that give 8 hex or 10 decimal digits), its low three bytes (Wiegand 26: facility
    /// code and card number), and the byte-reversed UID, whole and in four bytes.
    public var matchKeys: Set<String> {
        let bytes = Self.bytes(of: hex)
        var keys: Set<String> = [hex]
        for length in [4, 3] where bytes.count > length { keys.insert(Self.hex(of: Array(bytes.suffix(length)))) }
        let reversed = Array(bytes.reversed())
        keys.insert(Self.hex(of: reversed))
        if reversed.count > 4 { keys.insert(Self.hex(of: Array(bytes.suffix(4).reversed()))) }
        return keys
    }

    /// What a reader's output may mean, most specific first: a Wiegand pair, then the string as
    /// decimal when it is all digits, then as hex.
    public static func readings(of presented: String) -> [CardNumber] {
        var result: [CardNumber] = []
        for format in [Format.wiegand26, .decimal, .hex] {
            if let reading = CardNumber(presented, format: format), !result.contains(reading) { result.append(reading) }
        }
        return result
    }

    private static func bytes(of hex: String) -> [UInt8] {
        let digits = Array(hex)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0..<$0 + 2]), radix: 16)! }
    }

    private static func hex(of bytes: [UInt8]) -> String {
        let text = bytes.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return CardNumber(text, format: .hex)!.hex
    }
}
