import Fluent
import FootfallCore
import Foundation

/// Wi-Fi check-in: what the RADIUS server asks of the ledger. Every change goes through the
/// writer and is committed before the NAS gets its answer.
extension Ledger {
    /// A login at a Wi-Fi NAS: the access token's name, and how to check its password (PAP or
    /// CHAP) against the stored token.
    struct WifiLogin: Sendable {
        var username: String
        var passwordMatches: @Sendable (AccessTokenModel) -> Bool
        var device: DeviceModel
        var mac: String?
        var sessionId: String?
    }

    enum WifiAccess: Sendable, Equatable {
        /// Checked in (or already in); seconds of entitlement left, nil when unlimited.
        case accept(sessionTimeout: Int?)
        case reject(ReasonCode)
    }

    /// Checks the token, then runs admission with method `wifi` at the NAS's location. A refusal,
    /// a wrong password or an unknown name is a failed check-in.
    func wifiAccess(_ login: WifiLogin) async throws -> WifiAccess {
        let now = clock.now()
        let locationId = login.device.locationId
        guard let location = try await lookups.locations.value(for: locationId, load: { try await LocationModel.find(locationId, on: database) })
        else { throw APIError.notFound("location") }
        let token = try await AccessTokenModel.query(on: database).filter(\.$username == login.username).first()
        let customer: CustomerModel? = if let token, login.passwordMatches(token), (token.expiresAt ?? .distantFuture) > now {
            try await CustomerModel.find(token.customerId, on: database)
        } else { nil }
        let idleTimeout = wifiIdleTimeout
        return try await writer.perform { db in
            guard let customer else {
                _ = try await self.recordFailure(at: now, locationId: locationId, method: .wifi, deviceId: login.device.id,
                                                 customerId: token?.customerId, credential: String(login.username.prefix(200)),
                                                 reason: .unknownCredential, on: db)
                return .reject(.unknownCredential)
            }
            let attempt = Attempt(customer: customer, location: location, at: now, method: .wifi, deviceId: login.device.id,
                                  credential: login.username,
                                  wifi: WifiSession(sessionId: login.sessionId, mac: login.mac, idleTimeout: idleTimeout))
            switch try await self.admit(attempt, on: db) {
            case .checkedIn(_, let admitted):
                return .accept(sessionTimeout: admitted.entitlementEndsAt.map { Self.seconds(from: now, to: $0) })
            case .alreadyIn(let visit):
                // A device roaming or logging in again: the same visit, alive.
                if visit.method == CheckInMethod.wifi.rawValue {
                    visit.lastActivityAt = max(visit.lastActivityAt ?? now, now)
                    if let mac = login.mac { visit.wifiMac = mac }
                    if let sessionId = login.sessionId { visit.wifiSessionId = sessionId }
                    visit.closesAt = visit.scheduledClosing(zone: location.zone, wifiIdleTimeout: idleTimeout).due
                    try await visit.update(on: db)
                }
                return .accept(sessionTimeout: visit.timeLimitAt.map { Self.seconds(from: now, to: $0) })
            case .refused(let reason, _):
                return .reject(reason)
            }
        }
    }

    private static func seconds(from now: Date, to end: Date) -> Int { max(0, Int(end.timeIntervalSince(now).rounded(.down))) }

    /// An accounting record from a NAS, at the time it happened (Acct-Delay-Time taken off).
    struct WifiAccounting: Sendable {
        enum Status: Sendable { case start, interim, stop, nasOn, nasOff }
        var status: Status
        var device: DeviceModel
        var at: Date
        var sessionId: String?
        var username: String?
        var mac: String?
        /// Octets in and out so far, gigawords included.
        var octets: Int64?
    }

    /// Applies a Start, Interim-Update, Stop or Accounting-On/Off. Start and traffic mark
    /// activity; Stop checks out; On/Off closes the NAS's open Wi-Fi visits.
    func wifiAccounting(_ record: WifiAccounting) async throws {
        let deviceId = try record.device.requireID()
        let idleTimeout = wifiIdleTimeout
        let tokenCustomer: UUID? = if let username = record.username, record.status == .start || record.status == .interim {
            try await AccessTokenModel.query(on: database).filter(\.$username == username).first()?.customerId
        } else { nil }
        try await writer.perform { db in
            switch record.status {
            case .nasOn, .nasOff:
                let open = try await CheckInModel.query(on: db).filter(\.$deviceId == deviceId)
                    .filter(\.$method == CheckInMethod.wifi.rawValue).filter(\.$checkedOutAt == nil).all()
                for visit in open { _ = try await self.close(visit, at: max(record.at, visit.checkedInAt), method: .wifi, on: db) }
                if !open.isEmpty { self.logger.info("NAS restarted: closed its Wi-Fi visits", metadata: ["count": "\(open.count)"]) }
                return
            case .start, .interim, .stop:
                break
            }
            guard let visit = try await self.wifiVisit(record, tokenCustomer: tokenCustomer, on: db) else { return }
            if record.status == .stop {
                _ = try await self.close(visit, at: max(record.at, visit.checkedInAt), method: .wifi, on: db)
                return
            }
            let traffic = record.octets.map { $0 > (visit.wifiOctets ?? 0) } ?? false
            if record.status == .start || traffic { visit.lastActivityAt = max(visit.lastActivityAt ?? record.at, record.at) }
            if let octets = record.octets { visit.wifiOctets = max(visit.wifiOctets ?? 0, octets) }
            if let mac = record.mac { visit.wifiMac = mac }
            if visit.wifiSessionId == nil { visit.wifiSessionId = record.sessionId }
            if let zone = try await self.lookups.locations.value(for: visit.locationId, load: { try await LocationModel.find(visit.locationId, on: db) })?.zone {
                visit.closesAt = visit.scheduledClosing(zone: zone, wifiIdleTimeout: idleTimeout).due
            }
            try await visit.update(on: db)
        }
    }

    /// The open visit an accounting record is about: by its session id, else (a NAS that did not
    /// send the id at login) the token holder's open Wi-Fi visit at this NAS's location.
    private func wifiVisit(_ record: WifiAccounting, tokenCustomer: UUID?, on db: any Database) async throws -> CheckInModel? {
        if let sessionId = record.sessionId,
           let visit = try await CheckInModel.query(on: db).filter(\.$wifiSessionId == sessionId)
               .filter(\.$deviceId == record.device.requireID()).filter(\.$checkedOutAt == nil).first() {
            return visit
        }
        guard let tokenCustomer else { return nil }
        return try await CheckInModel.query(on: db).filter(\.$customerId == tokenCustomer).filter(\.$checkedOutAt == nil)
            .filter(\.$locationId == record.device.locationId).filter(\.$method == CheckInMethod.wifi.rawValue).first()
    }
}

/// A client MAC in the one notation Footfall keeps (`aa:bb:cc:dd:ee:ff`), from any of the
/// notations NASes send (`AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`, `AABBCCDDEEFF`, ...); other text
/// is kept as sent, trimmed.
func normalizedMAC(_ text: String) -> String {
    let digits = text.lowercased().filter { $0.isHexDigit }
    let separators = text.filter { !$0.isHexDigit }
    guard digits.count == 12, separators.allSatisfy({ ":-. ".contains($0) }) else {
        return String(text.trimmingCharacters(in: .whitespaces).prefix(64))
    }
    var groups: [String] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        groups.append(String(digits[index..<next]))
        index = next
    }
    return groups.joined(separator: ":")
}
