import Crypto
import Foundation

/// Random secrets and the one-way forms in which Footfall stores them.
enum SecretToken {
    /// 32 random bytes, base64url without padding: admin tokens, device keys, server secrets.
    /// The bytes are drawn eight at a time: the system's generator asks the kernel on each draw,
    /// and a customer's member secret (20 bytes) drawn a byte at a time was 7 % of the handler's
    /// CPU in an admin write that creates one.
    static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(bytes + 7) / 8).map { _ in generator.next() as UInt64 }
        let data = words.withUnsafeBytes { Data($0.prefix(bytes)) }
        let base64url = data.base64EncodedString().utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }
        return String(decoding: base64url, as: UTF8.self)
    }

    /// Letters and digits only (about 5.95 bits each): for RADIUS shared secrets, which NAS
    /// forms and command lines take badly when they hold `-`, `_` or start with a dash.
    static func makeAlphanumeric(length: Int = 32) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Lower-case letters and digits without the ones people misread on paper (`l`, `o`, `0`,
    /// `1`): 5 bits each, for Wi-Fi logins that are printed and typed on phones.
    static func makeReadable(length: Int) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// SHA-256, hex. Enough for secrets of 256 random bits, which no dictionary can guess;
    /// a slow hash is for passwords people choose.
    static func digest(_ secret: String) -> String {
        var secret = secret
        return secret.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)).hex }
    }

    /// HMAC-SHA256, hex: a keyed digest that can be looked up, for short secrets such as PINs.
    static func keyedDigest(_ value: String, key: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: Data(key.utf8))).hex
    }

    /// Compares in time that depends only on the lengths, not on where the values differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal digits, two per byte.
    var hex: String {
        let bytes = Array(self)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = Self.hexDigit(byte >> 4)
                text[2 * index + 1] = Self.hexDigit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension ServerSecretModel {
    /// The key of the PINs' keyed digest.
    static let pinKey = "pin_key"
}
