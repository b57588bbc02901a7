@testable import FootfallApp
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
}
