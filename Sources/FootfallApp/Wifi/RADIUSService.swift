import Crypto
import Fluent
import FootfallCore
import NIOConcurrencyHelpers
import NIOCore
import RADIUS
import Vapor

/// What a RADIUS request means to Footfall: which NAS sent it, whether its secret vouches for
/// it, and what to answer. Anything that does not check out is dropped and logged (never with a
/// secret or a password); a retransmission is answered from a short cache, not processed again.
final class RADIUSService: Sendable {
    enum Role: Sendable { case authentication, accounting }

    private let ledger: Ledger
    private let database: any Database
    private let clock: any WallClock
    private let logger: Logger
    private let replies = ReplyCache(lifetime: 30)
    private let clients = ExpiringCache<String, [DeviceModel]>(lifetime: Lookups.lifetime)
    /// Requests read and not yet answered or dropped.
    let inFlightCount = NIOLockedValueBox(0)
    var inFlight: Int { inFlightCount.withLockedValue { $0 } }
    /// At most this many requests are worked on at once; a datagram read beyond it is dropped
    /// (the NAS sends it again), so a flood costs a counter, not a task and a database query.
    static let maximumInFlight = 512
    private let overflow = NIOLockedValueBox((dropped: 0, since: ContinuousClock.now))

    /// Takes a request on if there is room; else counts it as dropped and logs the count at
    /// most every ten seconds.
    func admit() -> Bool {
        let taken = inFlightCount.withLockedValue { count in
            guard count < Self.maximumInFlight else { return false }
            count += 1
            return true
        }
        if taken { return true }
        ledger.metrics.radius(type: "other", outcome: .dropped)
        let report: Int? = overflow.withLockedValue { overflow in
            overflow.dropped += 1
            guard ContinuousClock.now - overflow.since >= .seconds(10) else { return nil }
            defer { overflow = (0, .now) }
            return overflow.dropped
        }
        if let report {
            logger.warning("RADIUS: dropped datagrams, more than \(Self.maximumInFlight) requests waiting", metadata: ["count": "\(report)"])
        }
        return false
    }

    init(ledger: Ledger, database: any Database, clock: any WallClock, logger: Logger) {
        self.ledger = ledger
        self.database = database
        self.clock = clock
        self.logger = logger
    }

    /// The reply to send, or nil to drop the datagram; counted in the metrics by the datagram's
    /// kind and what became of it.
    func handle(_ datagram: [UInt8], from sender: SocketAddress, role: Role) async -> [UInt8]? {
        let reply = await process(datagram, from: sender, role: role)
        let type = switch datagram.first.flatMap(Packet.Code.init(rawValue:)) {
        case .accessRequest?: "access"
        case .accountingRequest?: "accounting"
        case .statusServer?: "status"
        default: "other"
        }
        let outcome: FootfallMetrics.RADIUSOutcome = switch reply?.first.flatMap(Packet.Code.init(rawValue:)) {
        case nil: .dropped
        case .accessAccept? where type == "access": .accepted
        case .accessReject?: .rejected
        default: .answered
        }
        ledger.metrics.radius(type: type, outcome: outcome)
        return reply
    }

    private func process(_ datagram: [UInt8], from sender: SocketAddress, role: Role) async -> [UInt8]? {
        var source: String { sender.ipAddress ?? "?" }
        let packet: Packet
        do {
            packet = try Packet(parsing: datagram)
        } catch {
            logger.notice("RADIUS: dropped a malformed datagram from \(source): \(error)")
            return nil
        }
        guard Self.accepts(packet.code, on: role) else {
            logger.notice("RADIUS: dropped \(packet.code) from \(source) on the \(role) port")
            return nil
        }
        let device: DeviceModel
        do {
            guard let client = try await client(for: packet, from: sender) else {
                logger.notice("RADIUS: dropped \(packet.code) from unknown client \(source) (NAS-Identifier \(packet.string(.nasIdentifier) ?? "none"))")
                return nil
            }
            device = client
        } catch {
            logger.error("RADIUS: could not look up clients: \(String(reflecting: error))")
            return nil
        }
        let secret = RADIUSSecret(device.signingKey?.value ?? "")
        if packet.code == .accountingRequest, !secret.isValidAccountingRequest(datagram) {
            logger.notice("RADIUS: dropped Accounting-Request from \(source): bad authenticator (wrong shared secret?)")
            return nil
        }
        switch secret.checkMessageAuthenticator(datagram, of: packet) {
        case false?:
            logger.notice("RADIUS: dropped \(packet.code) from \(source): bad Message-Authenticator (wrong shared secret?)")
            return nil
        case nil where packet.code == .statusServer:
            logger.notice("RADIUS: dropped Status-Server from \(source) without Message-Authenticator")
            return nil
        case nil where packet.code == .accessRequest && device.requireMessageAuthenticator:
            // BlastRADIUS (CVE-2024-3596): without it, the reply could be forged for another request.
            logger.notice("RADIUS: dropped Access-Request from \(source) without Message-Authenticator (the NAS must send one, or the device be marked as an old NAS)")
            return nil
        default:
            break
        }

        let key = ReplyCache.Key(sender: sender, code: packet.code.rawValue, identifier: packet.identifier, authenticator: packet.authenticator)
        switch replies.begin(key) {
        case .answered(let reply): return reply
        case .inProgress: return nil
        case .new: break
        }
        do {
            let (code, attributes) = try await answer(packet, from: device, secret: secret)
            let reply = secret.reply(to: packet, code: code, attributes: attributes)
            replies.finish(key, reply: reply)
            return reply
        } catch {
            replies.abandon(key)
            logger.error("RADIUS: \(packet.code) from \(source) failed, not answered (the NAS will retry): \(String(reflecting: error))")
            return nil
        }
    }

    private static func accepts(_ code: Packet.Code, on role: Role) -> Bool {
        switch (code, role) {
        case (.accessRequest, .authentication), (.statusServer, _), (.accountingRequest, .accounting): true
        default: false
        }
    }

    /// The `wifi` device this NAS is: by NAS-Identifier, else by the datagram's source address.
    private func client(for packet: Packet, from sender: SocketAddress) async throws -> DeviceModel? {
        let devices = try await clients.value(for: "wifi") {
            try await DeviceModel.query(on: database).filter(\.$kind == DeviceKind.wifi.rawValue).all()
        } ?? []
        if let identifier = packet.string(.nasIdentifier), let device = devices.first(where: { $0.nasIdentifier == identifier }) {
            return device
        }
        guard let source = sender.ipAddress else { return nil }
        return devices.first { $0.nasIp.map { Self.sameAddress($0, source) } ?? false }
    }

    private static func sameAddress(_ configured: String, _ source: String) -> Bool {
        guard let a = try? SocketAddress(ipAddress: configured, port: 0), let b = try? SocketAddress(ipAddress: source, port: 0) else {
            return configured == source
        }
        return a.ipAddress == b.ipAddress
    }

    // MARK: Answers

    private func answer(_ packet: Packet, from device: DeviceModel, secret: RADIUSSecret) async throws -> (Packet.Code, [Attribute]) {
        switch packet.code {
        case .statusServer:
            return (Packet.Code.accessAccept, [])
        case .accessRequest:
            return try await access(packet, from: device, secret: secret)
        default:
            try await account(packet, from: device)
            return (.accountingResponse, [])
        }
    }

    private func access(_ packet: Packet, from device: DeviceModel, secret: RADIUSSecret) async throws -> (Packet.Code, [Attribute]) {
        let username = packet.string(.userName) ?? ""
        let passwordMatches: @Sendable (AccessTokenModel) -> Bool
        if let hidden = packet.first(.userPassword) {
            let password = secret.revealPassword(hidden, requestAuthenticator: packet.authenticator).map { String(decoding: $0, as: UTF8.self) }
            passwordMatches = { token in password.map { SecretToken.constantTimeEquals(SecretToken.digest($0), token.passwordHash) } ?? false }
        } else if let chap = packet.first(.chapPassword) {
            let challenge = packet.first(.chapChallenge) ?? packet.authenticator
            passwordMatches = { token in
                token.chapPassword.map { RADIUSSecret.chapMatches(chap, password: Array($0.value.utf8), challenge: challenge) } ?? false
            }
        } else {
            passwordMatches = { _ in false }
        }
        let login = Ledger.WifiLogin(username: username, passwordMatches: passwordMatches, device: device,
                                     mac: packet.string(.callingStationId).map(normalizedMAC), sessionId: packet.string(.acctSessionId))
        switch try await ledger.wifiAccess(login) {
        case .accept(let sessionTimeout):
            // The NAS ends a quiet session when the ledger closes its visit for idleness: a session
            // left running past it would be Wi-Fi that no visit counts (nor a token's minutes).
            var attributes = [Attribute(.idleTimeout, integer: UInt32(clamping: Int(ledger.wifiIdleTimeout)))]
            if let sessionTimeout { attributes.append(Attribute(.sessionTimeout, integer: UInt32(clamping: sessionTimeout))) }
            return (.accessAccept, attributes)
        case .reject(let reason):
            return (.accessReject, [Attribute(.replyMessage, string: reason.rawValue)])
        }
    }

    private func account(_ packet: Packet, from device: DeviceModel) async throws {
        let status: Ledger.WifiAccounting.Status
        switch packet.integer(.acctStatusType).flatMap(AccountingStatus.init(rawValue:)) {
        case .start?: status = .start
        case .interimUpdate?: status = .interim
        case .stop?: status = .stop
        case .accountingOn?: status = .nasOn
        case .accountingOff?: status = .nasOff
        case nil: return  // Answered, and nothing to record (an unknown status type).
        }
        // A record held back longer than a day is taken as a day late: no NAS waits that long.
        let delay = TimeInterval(min(packet.integer(.acctDelayTime) ?? 0, 86_400))
        // Traffic either way counts; some NASes send only one direction.
        // Gigawords and octets make a 64-bit count; the two directions' sum saturates.
        let input = packet.integer(.acctInputOctets).map { UInt64(packet.integer(.acctInputGigawords) ?? 0) << 32 | UInt64($0) }
        let output = packet.integer(.acctOutputOctets).map { UInt64(packet.integer(.acctOutputGigawords) ?? 0) << 32 | UInt64($0) }
        let sum = (input ?? 0).addingReportingOverflow(output ?? 0)
        let octets: Int64? = input == nil && output == nil ? nil : Int64(clamping: sum.overflow ? .max : sum.partialValue)
        try await ledger.wifiAccounting(Ledger.WifiAccounting(
            status: status, device: device, at: clock.now() - delay, sessionId: packet.string(.acctSessionId),
            username: packet.string(.userName), mac: packet.string(.callingStationId).map(normalizedMAC), octets: octets))
    }
}

/// Replies by request, kept `lifetime` seconds, so that a NAS retransmitting a request it sent
/// gets the same reply and the request is not applied twice.
final class ReplyCache: Sendable {
    enum Begin { case new, inProgress, answered([UInt8]) }

    private enum Entry {
        case inProgress
        case answered([UInt8], expires: ContinuousClock.Instant)
    }

    /// A request as the NAS sends it again: same sender, code, identifier and authenticator.
    struct Key: Hashable, Sendable {
        var sender: SocketAddress
        var code: UInt8
        var identifier: UInt8
        var authenticator: [UInt8]
    }

    private let entries = NIOLockedValueBox([Key: Entry]())
    private let lifetime: Duration

    init(lifetime: Int) { self.lifetime = .seconds(lifetime) }

    func begin(_ key: Key) -> Begin {
        entries.withLockedValue { entries in
            switch entries[key] {
            case .inProgress?: return .inProgress
            case .answered(let reply, let expires)? where expires > .now: return .answered(reply)
            default:
                if entries.count > 50_000 {
                    let now = ContinuousClock.now
                    entries = entries.filter { if case .answered(_, let expires) = $0.value { expires > now } else { true } }
                }
                entries[key] = .inProgress
                return .new
            }
        }
    }

    func finish(_ key: Key, reply: [UInt8]) {
        entries.withLockedValue { $0[key] = .answered(reply, expires: .now + lifetime) }
    }

    func abandon(_ key: Key) {
        entries.withLockedValue { $0[key] = nil }
    }
}
