import Crypto
import Foundation

/// The signatures door systems put on their webhooks, checked against the door device's key.
/// Every comparison of a signature is constant-time (`HMAC.isValidAuthenticationCode`).
enum WebhookSignature {
    /// How far a signature's time may be from now, either way.
    static let tolerance: TimeInterval = 300

    /// `Footfall-Signature: t=UNIX_SECONDS,v1=HEX`, HEX = HMAC-SHA256(key, "{t}.{raw body}").
    /// Several `v1` may be given (a sender rolling keys); one must match.
    static func checkFootfall(_ header: String?, body: Data, key: String, now: Date) throws(APIError) {
        guard let header, !header.isEmpty else { throw .invalidSignature("The Footfall-Signature header is missing.") }
        var time: String?
        var signatures: [Data] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw malformed }
            switch pair[0] {
            case "t": time = pair[1]
            case "v1":
                guard let signature = Data(hex: pair[1]), signature.count == SHA256.byteCount else { throw malformed }
                signatures.append(signature)
            default: continue
            }
        }
        guard let time, let seconds = Int64(time), !signatures.isEmpty else { throw malformed }
        guard abs(Double(seconds) - now.timeIntervalSince1970) <= tolerance else {
            throw .invalidSignature("The signature's time t is more than \(Int(tolerance)) s from now.")
        }
        let signed = Data("\(time).".utf8) + body
        let symmetricKey = SymmetricKey(data: Data(key.utf8))
        guard signatures.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: symmetricKey) }) else {
            throw .invalidSignature("The signature does not match the body.")
        }
    }

    /// Kisi's `X-Signature`: hex HMAC-SHA256(key, raw body).
    static func checkKisi(_ header: String?, body: Data, key: String) throws(APIError) {
        guard let header, !header.isEmpty else { throw .invalidSignature("The X-Signature header is missing.") }
        guard let signature = Data(hex: header.trimmingCharacters(in: .whitespaces)), signature.count == SHA256.byteCount else {
            throw .invalidSignature("The X-Signature header is not 64 hexadecimal digits.")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: SymmetricKey(data: Data(key.utf8))) else {
            throw .invalidSignature("The signature does not match the body.")
        }
    }

    private static let malformed = APIError.invalidSignature("The Footfall-Signature header must read t=UNIX_SECONDS,v1=HEX.")
}

extension Data {
    /// Bytes from hexadecimal digits of either case; nil for anything else.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = digits[index].hexDigitValue, let low = digits[index + 1].hexDigitValue else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
