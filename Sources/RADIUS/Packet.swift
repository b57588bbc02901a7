/// A RADIUS packet (RFC 2865 §3): code, identifier, authenticator and attributes, in the order
/// they came. Parsing checks every length and never traps; encoding writes what it holds.
public struct Packet: Equatable, Sendable {
    public enum Code: UInt8, Sendable, CaseIterable {
        case accessRequest = 1
        case accessAccept = 2
        case accessReject = 3
        case accountingRequest = 4
        case accountingResponse = 5
        case accessChallenge = 11
        case statusServer = 12
        case statusClient = 13
    }

    public static let headerLength = 20
    public static let maximumLength = 4096

    public var code: Code
    public var identifier: UInt8
    /// 16 octets: the Request Authenticator of a request, the Response Authenticator of a reply.
    public var authenticator: [UInt8]
    public var attributes: [Attribute]

    public init(code: Code, identifier: UInt8, authenticator: [UInt8] = Array(repeating: 0, count: 16), attributes: [Attribute] = []) {
        self.code = code
        self.identifier = identifier
        self.authenticator = authenticator
        self.attributes = attributes
    }

    /// Reads a datagram. Octets after the packet's Length are padding and ignored (RFC 2865 §3);
    /// a datagram shorter than its Length, or an attribute running past it, is an error.
    public init(parsing datagram: some Collection<UInt8>) throws(PacketError) {
        let bytes = Array(datagram)
        guard bytes.count >= Self.headerLength else { throw .tooShort(bytes.count) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length >= Self.headerLength, length <= Self.maximumLength else { throw .badLength(length) }
        guard length <= bytes.count else { throw .truncated(declared: length, received: bytes.count) }
        guard let code = Code(rawValue: bytes[0]) else { throw .unknownCode(bytes[0]) }
        self.code = code
        identifier = bytes[1]
        authenticator = Array(bytes[4..<20])
        attributes = []
        var offset = Self.headerLength
        while offset < length {
            guard offset + 2 <= length else { throw .truncatedAttribute(offset: offset) }
            let type = bytes[offset], attributeLength = Int(bytes[offset + 1])
            guard attributeLength >= 2 else { throw .badAttributeLength(type: type, length: attributeLength) }
            guard offset + attributeLength <= length else { throw .truncatedAttribute(offset: offset) }
            attributes.append(Attribute(type, Array(bytes[(offset + 2)..<(offset + attributeLength)])))
            offset += attributeLength
        }
    }

    /// The packet on the wire. Attribute values over 253 octets cannot be encoded and are cut
    /// there (callers build values within the limit).
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for attribute in attributes {
            let value = attribute.value.prefix(Attribute.maximumValueLength)
            body.append(attribute.type)
            body.append(UInt8(value.count + 2))
            body.append(contentsOf: value)
        }
        let length = Self.headerLength + body.count
        return [code.rawValue, identifier, UInt8(length >> 8), UInt8(length & 0xFF)] + authenticator.prefix(16) + body
    }

    // MARK: Attributes by type

    public func first(_ type: AttributeType) -> [UInt8]? {
        attributes.first { $0.type == type.rawValue }?.value
    }

    /// A text attribute as UTF-8 (invalid sequences replaced).
    public func string(_ type: AttributeType) -> String? {
        first(type).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A 32-bit integer attribute; nil when absent or not 4 octets.
    public func integer(_ type: AttributeType) -> UInt32? {
        guard let value = first(type), value.count == 4 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Vendor-Specific attributes (26) as vendor id and the vendor's octets, passed through.
    public var vendorSpecific: [(vendorId: UInt32, data: [UInt8])] {
        attributes.compactMap { attribute in
            guard attribute.type == AttributeType.vendorSpecific.rawValue, attribute.value.count >= 4 else { return nil }
            let id = attribute.value.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
            return (id, Array(attribute.value.dropFirst(4)))
        }
    }
}

/// One attribute: its type and value octets (at most 253).
public struct Attribute: Equatable, Sendable {
    public static let maximumValueLength = 253

    public var type: UInt8
    public var value: [UInt8]

    public init(_ type: UInt8, _ value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public init(_ type: AttributeType, _ value: [UInt8]) {
        self.init(type.rawValue, value)
    }

    public init(_ type: AttributeType, string: String) {
        self.init(type, Array(string.utf8.prefix(Self.maximumValueLength)))
    }

    public init(_ type: AttributeType, integer: UInt32) {
        self.init(type, [UInt8(integer >> 24), UInt8(integer >> 16 & 0xFF), UInt8(integer >> 8 & 0xFF), UInt8(integer & 0xFF)])
    }
}

/// The attribute types Footfall reads or writes (RFC 2865, 2866, 2869, 3579); others pass through.
public enum AttributeType: UInt8, Sendable {
    case userName = 1
    case userPassword = 2
    case chapPassword = 3
    case nasIPAddress = 4
    case nasPort = 5
    case serviceType = 6
    case framedIPAddress = 8
    case replyMessage = 18
    case state = 24
    case `class` = 25
    case vendorSpecific = 26
    case sessionTimeout = 27
    case idleTimeout = 28
    case calledStationId = 30
    case callingStationId = 31
    case nasIdentifier = 32
    case acctStatusType = 40
    case acctDelayTime = 41
    case acctInputOctets = 42
    case acctOutputOctets = 43
    case acctSessionId = 44
    case acctSessionTime = 46
    case acctTerminateCause = 49
    case acctInputGigawords = 52
    case acctOutputGigawords = 53
    case eventTimestamp = 55
    case chapChallenge = 60
    case nasPortType = 61
    case messageAuthenticator = 80
    case nasIPv6Address = 95
}

/// Acct-Status-Type values (RFC 2866 §5.1).
public enum AccountingStatus: UInt32, Sendable {
    case start = 1
    case stop = 2
    case interimUpdate = 3
    case accountingOn = 7
    case accountingOff = 8
}

/// Why a datagram is not a RADIUS packet.
public enum PacketError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooShort(Int)
    case badLength(Int)
    case truncated(declared: Int, received: Int)
    case unknownCode(UInt8)
    case truncatedAttribute(offset: Int)
    case badAttributeLength(type: UInt8, length: Int)

    public var description: String {
        switch self {
        case .tooShort(let count): "datagram of \(count) octets is shorter than a RADIUS header (20)"
        case .badLength(let length): "Length \(length) is outside 20...4096"
        case let .truncated(declared, received): "Length says \(declared) octets, the datagram has \(received)"
        case .unknownCode(let code): "unknown code \(code)"
        case .truncatedAttribute(let offset): "attribute at offset \(offset) runs past the packet"
        case let .badAttributeLength(type, length): "attribute \(type) has length \(length) (at least 2)"
        }
    }
}
