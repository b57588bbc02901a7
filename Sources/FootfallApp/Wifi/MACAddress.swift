import Foundation

/// A client MAC in the one notation Footfall keeps (`aa:bb:cc:dd:ee:ff`), from any of the
/// notations NASes send (`AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`, `AABBCCDDEEFF`, ...); other text
/// is kept as sent, trimmed.
func normalizedMAC(_ text: String) -> String {
    var digits: [UInt8] = []
    digits.reserveCapacity(17)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(byte)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(byte + 32)
        case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: " "): continue
        default: return String(text.trimmingCharacters(in: .whitespaces).prefix(64))
        }
    }
    guard digits.count == 12 else { return String(text.trimmingCharacters(in: .whitespaces).prefix(64)) }
    var mac: [UInt8] = []
    for (index, digit) in digits.enumerated() {
        if index > 0, index.isMultiple(of: 2) { mac.append(UInt8(ascii: ":")) }
        mac.append(digit)
    }
    return String(decoding: mac, as: UTF8.self)
}
