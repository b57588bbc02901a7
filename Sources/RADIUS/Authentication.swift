import Crypto

/// What a shared secret proves about a packet, and how replies are signed: User-Password hiding
/// (RFC 2865 §5.2), CHAP (§5.3), Response and Accounting-Request authenticators (RFC 2865 §3,
/// RFC 2866 §3) and Message-Authenticator (HMAC-MD5, RFC 3579 §3.2). Comparisons of secrets
/// take the same time wherever the values differ.
public struct RADIUSSecret: Sendable {
    let bytes: [UInt8]

    public init(_ secret: String) {
        bytes = Array(secret.utf8)
    }

    // MARK: User-Password

    /// The clear password of a User-Password value, with its zero padding removed; nil when the
    /// value is not 16 to 128 octets in steps of 16.
    public func revealPassword(_ hidden: [UInt8], requestAuthenticator: [UInt8]) -> [UInt8]? {
        guard !hidden.isEmpty, hidden.count <= 128, hidden.count.isMultiple(of: 16) else { return nil }
        var clear: [UInt8] = []
        var previous = requestAuthenticator
        for start in stride(from: 0, to: hidden.count, by: 16) {
            let block = Array(hidden[start..<(start + 16)])
            let pad = md5(bytes + previous)
            clear += zip(block, pad).map { $0 ^ $1 }
            previous = block
        }
        while clear.last == 0 { clear.removeLast() }
        return clear
    }

    /// A password hidden as a client sends it.
    public func hidePassword(_ password: [UInt8], requestAuthenticator: [UInt8]) -> [UInt8] {
        var padded = password
        let length = max(16, (password.count + 15) / 16 * 16)
        padded += Array(repeating: 0, count: length - password.count)
        var hidden: [UInt8] = []
        var previous = requestAuthenticator
        for start in stride(from: 0, to: padded.count, by: 16) {
            let block = zip(padded[start..<(start + 16)], md5(bytes + previous)).map { $0 ^ $1 }
            hidden += block
            previous = block
        }
        return hidden
    }

    // MARK: CHAP

    /// Whether a CHAP-Password (identifier, then 16 octets of MD5) answers `challenge` with
    /// `password`. The challenge is CHAP-Challenge, or the Request Authenticator without one.
    public static func chapMatches(_ chapPassword: [UInt8], password: [UInt8], challenge: [UInt8]) -> Bool {
        guard chapPassword.count == 17 else { return false }
        let expected = md5([chapPassword[0]] + password + challenge)
        return constantTimeEquals(Array(chapPassword.dropFirst()), expected)
    }

    public static func chapPassword(identifier: UInt8, password: [UInt8], challenge: [UInt8]) -> [UInt8] {
        [identifier] + md5([identifier] + password + challenge)
    }

    // MARK: Authenticators

    /// An Accounting-Request's authenticator is MD5 of the packet with 16 zero octets in its
    /// place, then the secret (RFC 2866 §3).
    public func isValidAccountingRequest(_ datagram: [UInt8]) -> Bool {
        guard datagram.count >= Packet.headerLength else { return false }
        var zeroed = datagram
        zeroed.replaceSubrange(4..<20, with: Array(repeating: 0, count: 16))
        return Self.constantTimeEquals(md5(zeroed + bytes), Array(datagram[4..<20]))
    }

    /// Checks the Message-Authenticator of a request, if it has one: HMAC-MD5 of the packet with
    /// that attribute's value zeroed (and, for an Accounting-Request, the authenticator too).
    /// Returns nil without one, else whether it is right.
    public func checkMessageAuthenticator(_ datagram: [UInt8], of packet: Packet) -> Bool? {
        let values = packet.attributes.filter { $0.type == AttributeType.messageAuthenticator.rawValue }
        guard !values.isEmpty else { return nil }
        guard values.count == 1, values[0].value.count == 16, let offset = Self.messageAuthenticatorOffset(in: datagram) else { return false }
        var zeroed = Array(datagram.prefix(Int(datagram[2]) << 8 | Int(datagram[3])))
        zeroed.replaceSubrange(offset..<(offset + 16), with: Array(repeating: 0, count: 16))
        if packet.code == .accountingRequest { zeroed.replaceSubrange(4..<20, with: Array(repeating: 0, count: 16)) }
        return Self.constantTimeEquals(hmacMD5(zeroed), values[0].value)
    }

    /// A reply to `request`, signed: a Message-Authenticator added (RFC 3579: computed with the
    /// request's authenticator in place, or with zeros in an Accounting-Response, as FreeRADIUS
    /// and its clients do), then the Response Authenticator (RFC 2865 §3).
    public func reply(to request: Packet, code: Packet.Code, attributes: [Attribute]) -> [UInt8] {
        let zeroed = code == .accountingResponse && request.code == .accountingRequest
        var packet = Packet(code: code, identifier: request.identifier,
                            authenticator: zeroed ? Array(repeating: 0, count: 16) : request.authenticator,
                            attributes: attributes.filter { $0.type != AttributeType.messageAuthenticator.rawValue })
        packet.attributes.append(Attribute(.messageAuthenticator, Array(repeating: 0, count: 16)))
        var datagram = packet.encoded()
        let offset = datagram.count - 16
        datagram.replaceSubrange(offset..<datagram.count, with: hmacMD5(datagram))
        datagram.replaceSubrange(4..<20, with: request.authenticator)
        datagram.replaceSubrange(4..<20, with: md5(datagram + bytes))
        return datagram
    }

    /// A request as a client signs it: Access-Request with a Message-Authenticator, or
    /// Accounting-Request with its authenticator (and a Message-Authenticator). For tests and tools.
    public func sign(_ request: Packet) -> [UInt8] {
        var packet = request
        packet.attributes.removeAll { $0.type == AttributeType.messageAuthenticator.rawValue }
        packet.attributes.append(Attribute(.messageAuthenticator, Array(repeating: 0, count: 16)))
        if packet.code == .accountingRequest { packet.authenticator = Array(repeating: 0, count: 16) }
        var datagram = packet.encoded()
        let offset = datagram.count - 16
        datagram.replaceSubrange(offset..<datagram.count, with: hmacMD5(datagram))
        if packet.code == .accountingRequest { datagram.replaceSubrange(4..<20, with: md5(datagram + bytes)) }
        return datagram
    }

    /// Whether a reply to a request with `requestAuthenticator` carries the right Response
    /// Authenticator. For tests and tools.
    public func isValidReply(_ datagram: [UInt8], requestAuthenticator: [UInt8]) -> Bool {
        guard datagram.count >= Packet.headerLength else { return false }
        var copy = datagram
        copy.replaceSubrange(4..<20, with: requestAuthenticator)
        return Self.constantTimeEquals(md5(copy + bytes), Array(datagram[4..<20]))
    }

    // MARK: Building blocks

    private static func messageAuthenticatorOffset(in datagram: [UInt8]) -> Int? {
        let length = Int(datagram[2]) << 8 | Int(datagram[3])
        var offset = Packet.headerLength
        while offset + 2 <= length {
            let attributeLength = Int(datagram[offset + 1])
            guard attributeLength >= 2 else { return nil }
            if datagram[offset] == AttributeType.messageAuthenticator.rawValue { return attributeLength == 18 ? offset + 2 : nil }
            offset += attributeLength
        }
        return nil
    }

    private func hmacMD5(_ data: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.MD5>.authenticationCode(for: data, using: SymmetricKey(data: bytes)))
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

func md5(_ data: [UInt8]) -> [UInt8] {
    Array(Insecure.MD5.hash(data: data))
}
