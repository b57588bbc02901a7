@testable import FootfallApp
import Crypto
import Foundation
import Testing

/// Admin tokens, device keys and member secrets: random bytes, written as base64url without padding.
@Suite("Random secrets")
struct SecretTokenTests {
    @Test(arguments: [1, 7, 8, 9, 20, 32])
    func aSecretIsThatManyRandomBytesInBase64URL(bytes: Int) throws {
        let secrets = (0..<200).map { _ in SecretToken.make(bytes: bytes) }
        let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for secret in secrets {
            #expect(secret.count == (bytes * 8 + 5) / 6, "\(secret)")
            #expect(secret.allSatisfy(urlSafe.contains), "\(secret)")
        }
        let decoded = try secrets.map { secret in
            var base64 = secret.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return try #require(Data(base64Encoded: base64))
        }
        #expect(decoded.allSatisfy { $0.count == bytes })
        // Every byte of the secret is drawn: each position takes many values across the draws.
        for position in 0..<bytes {
            #expect(Set(decoded.map { $0[position] }).count > 50, "byte \(position)")
        }
        if bytes >= 8 { #expect(Set(secrets).count == secrets.count) }
    }

    /// The digests stored for keys, tokens and PINs are SHA-256 and HMAC-SHA256 in lower-case
    /// hex: known answers (FIPS 180-2's "abc", the empty text, RFC 4231's test case 2), so that
    /// a change in how they are written cannot pass unseen and lock every stored key out.
    @Test func digestsAreTheStandardOnesInLowerCaseHex() {
        #expect(SecretToken.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretToken.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SecretToken.keyedDigest("what do ya want for nothing?", key: "Jefe")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let text = "Zoë's key \u{1F511}"
        #expect(SecretToken.digest(text) == SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined())
        #expect(SecretToken.digest(NSString(string: text) as String) == SecretToken.digest(text))
    }
}
