import Foundation
import RADIUS
import Testing

private func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// RFC 2865 §7.1: nemo logs in with the password "arctangent"; the shared secret is "xyzzy5461".
private let rfcRequest = bytes("""
    01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
    93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03
    """)
private let rfcAccept = bytes("""
    02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
    0e 06 c0 a8 01 03
    """)
private let rfcSecret = RADIUSSecret("xyzzy5461")

@Suite("RADIUS packets")
struct PacketTests {
    @Test func readsTheRFCExampleRequest() throws {
        let packet = try Packet(parsing: rfcRequest)
        #expect(packet.code == .accessRequest)
        #expect(packet.identifier == 0)
        #expect(packet.string(.userName) == "nemo")
        #expect(packet.first(.nasIPAddress) == [192, 168, 1, 16])
        #expect(packet.integer(.nasPort) == 3)
        #expect(packet.encoded() == rfcRequest)
    }

    @Test func revealsAndHidesTheRFCPassword() throws {
        let packet = try Packet(parsing: rfcRequest)
        let hidden = try #require(packet.first(.userPassword))
        #expect(rfcSecret.revealPassword(hidden, requestAuthenticator: packet.authenticator) == Array("arctangent".utf8))
        #expect(rfcSecret.hidePassword(Array("arctangent".utf8), requestAuthenticator: packet.authenticator) == hidden)
        #expect(RADIUSSecret("wrong").revealPassword(hidden, requestAuthenticator: packet.authenticator) != Array("arctangent".utf8))
    }

    @Test func longPasswordsSpanSeveralBlocks() {
        let authenticator = Array(0..<16).map(UInt8.init)
        let password = Array("a password of more than thirty-two characters".utf8)
        let hidden = rfcSecret.hidePassword(password, requestAuthenticator: authenticator)
        #expect(hidden.count == 48)
        #expect(rfcSecret.revealPassword(hidden, requestAuthenticator: authenticator) == password)
        #expect(rfcSecret.revealPassword(Array(hidden.prefix(20)), requestAuthenticator: authenticator) == nil)
        #expect(rfcSecret.revealPassword([], requestAuthenticator: authenticator) == nil)
    }

    @Test func checksTheRFCResponseAuthenticator() throws {
        let request = try Packet(parsing: rfcRequest)
        #expect(rfcSecret.isValidReply(rfcAccept, requestAuthenticator: request.authenticator))
        #expect(!RADIUSSecret("other").isValidReply(rfcAccept, requestAuthenticator: request.authenticator))
        let accept = try Packet(parsing: rfcAccept)
        #expect(accept.code == .accessAccept)
        #expect(accept.integer(.serviceType) == 1)
    }

    @Test func repliesCarryAValidMessageAuthenticatorAndResponseAuthenticator() throws {
        let request = try Packet(parsing: rfcRequest)
        let reply = rfcSecret.reply(to: request, code: .accessAccept, attributes: [Attribute(.sessionTimeout, integer: 3600)])
        #expect(rfcSecret.isValidReply(reply, requestAuthenticator: request.authenticator))
        let parsed = try Packet(parsing: reply)
        #expect(parsed.identifier == request.identifier)
        #expect(parsed.integer(.sessionTimeout) == 3600)
        // The Message-Authenticator is computed with the request's authenticator in place.
        var withRequestAuthenticator = reply
        withRequestAuthenticator.replaceSubrange(4..<20, with: request.authenticator)
        let check = try Packet(parsing: withRequestAuthenticator)
        #expect(rfcSecret.checkMessageAuthenticator(withRequestAuthenticator, of: check) == true)
    }

    @Test func chapAnswersTheChallenge() {
        let challenge = Array("0123456789abcdef".utf8)
        let answer = RADIUSSecret.chapPassword(identifier: 7, password: Array("s3cret".utf8), challenge: challenge)
        #expect(answer.count == 17)
        #expect(RADIUSSecret.chapMatches(answer, password: Array("s3cret".utf8), challenge: challenge))
        #expect(!RADIUSSecret.chapMatches(answer, password: Array("s3cret!".utf8), challenge: challenge))
        #expect(!RADIUSSecret.chapMatches(Array(answer.prefix(16)), password: Array("s3cret".utf8), challenge: challenge))
    }

    @Test func signedAccountingRequestsAndMessageAuthenticatorsVerify() throws {
        let secret = RADIUSSecret("testing123")
        let request = Packet(code: .accountingRequest, identifier: 42, attributes: [
            Attribute(.acctStatusType, integer: AccountingStatus.start.rawValue), Attribute(.acctSessionId, string: "S-1"),
        ])
        let datagram = secret.sign(request)
        let parsed = try Packet(parsing: datagram)
        #expect(secret.isValidAccountingRequest(datagram))
        #expect(secret.checkMessageAuthenticator(datagram, of: parsed) == true)
        #expect(!RADIUSSecret("testing124").isValidAccountingRequest(datagram))
        #expect(RADIUSSecret("testing124").checkMessageAuthenticator(datagram, of: parsed) == false)

        var tampered = datagram
        tampered[tampered.count - 20] ^= 1
        #expect(!secret.isValidAccountingRequest(tampered))

        let access = secret.sign(Packet(code: .accessRequest, identifier: 1, authenticator: Array(repeating: 9, count: 16),
                                        attributes: [Attribute(.userName, string: "ada")]))
        #expect(secret.checkMessageAuthenticator(access, of: try Packet(parsing: access)) == true)
        #expect(secret.checkMessageAuthenticator(rfcRequest, of: try Packet(parsing: rfcRequest)) == nil)
    }

    @Test func vendorSpecificAttributesPassThrough() throws {
        let vsa = Attribute(.vendorSpecific, [0, 0, 0x37, 0x2A, 1, 6, 0, 0, 0, 5])  // MikroTik (14122)
        let packet = Packet(code: .accessRequest, identifier: 3, attributes: [Attribute(.userName, string: "a"), vsa, Attribute(240, [1, 2, 3])])
        let parsed = try Packet(parsing: packet.encoded())
        #expect(parsed.attributes == packet.attributes)
        #expect(parsed.vendorSpecific.first?.vendorId == 14122)
        #expect(parsed.vendorSpecific.first?.data == [1, 6, 0, 0, 0, 5])
    }

    @Test func paddingAfterTheLengthIsIgnored() throws {
        let parsed = try Packet(parsing: rfcRequest + [0, 0, 0, 0])
        #expect(parsed.encoded() == rfcRequest)
    }

    /// A header with this code and Length, and a zero authenticator.
    static func header(_ code: UInt8, length: Int) -> [UInt8] {
        [code, 0, UInt8(length >> 8), UInt8(length & 0xFF)] + [UInt8](repeating: 0, count: 16)
    }

    static let malformed: [([UInt8], PacketError)] = [
        ([], .tooShort(0)),
        (Array(rfcRequest.prefix(19)), .tooShort(19)),
        (header(1, length: 19), .badLength(19)),
        (header(1, length: 4097), .badLength(4097)),
        (Array(rfcRequest.prefix(40)), .truncated(declared: 56, received: 40)),
        (header(99, length: 20), .unknownCode(99)),
        (header(1, length: 21) + [1], .truncatedAttribute(offset: 20)),
        (header(1, length: 22) + [1, 1], .badAttributeLength(type: 1, length: 1)),
        (header(1, length: 22) + [1, 0], .badAttributeLength(type: 1, length: 0)),
        (header(1, length: 24) + [1, 6, 65, 66], .truncatedAttribute(offset: 20)),
    ]

    @Test(arguments: malformed)
    func malformedDatagramsAreRefused(datagram: [UInt8], error: PacketError) {
        #expect(throws: error) { try Packet(parsing: datagram) }
    }

    /// Random and mutated datagrams: each is parsed or refused, never a crash.
    @Test func randomAndMutatedDatagramsNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        var parsed = 0
        for round in 0..<20_000 {
            var datagram: [UInt8]
            if round.isMultiple(of: 2) {
                datagram = (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                datagram = rfcRequest
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    datagram[Int.random(in: 0..<datagram.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                datagram = Array(datagram.prefix(Int.random(in: 0...datagram.count, using: &generator)))
            }
            if let packet = try? Packet(parsing: datagram) {
                parsed += 1
                _ = rfcSecret.checkMessageAuthenticator(datagram, of: packet)
                _ = rfcSecret.isValidAccountingRequest(datagram)
                _ = packet.first(.userPassword).map { rfcSecret.revealPassword($0, requestAuthenticator: packet.authenticator) }
            }
        }
        #expect(parsed > 0)
    }
}
