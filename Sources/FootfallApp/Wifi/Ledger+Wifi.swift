import Algorithms
import Fluent
import FootfallCore
import Foundation
import SQLKit

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

        /// What tells the login's device apart for the token's device limit: its MAC address,
        /// else (a NAS that sends no Calling-Station-Id) its session.
        func device(of token: AccessTokenModel) -> String {
            mac ?? sessionId.map { "session:\($0)" } ?? "unknown:\(UUID().uuidString)"
        }
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
        guard let location = try await lookups.location(locationId, on: database)?.model else { throw LedgerError.noSuchLocation }
        let token = try await AccessTokenModel.query(on: database).filter(\.$username == login.username).first()
        let customer: CustomerModel? = if let token, login.passwordMatches(token) {
            try await CustomerModel.find(token.customerId, on: database)
        } else { nil }
        let idleTimeout = wifiIdleTimeout
        if customer == nil, let deviceId = login.device.id {
            let (record, skipped) = unknownWifiLogins.allows(deviceId, now: now)
            if skipped > 0 {
                logger.notice("RADIUS: failed logins from one NAS past the limit, not stored as failed check-ins",
                              metadata: ["device": .string(deviceId.uuidString), "count": "\(skipped)", "limit per minute": "\(unknownWifiLogins.perMinute)"])
            }
            if !record { return .reject(.unknownCredential) }
        }
        return try await writer.perform { db in
            guard let customer, let token else {
                _ = try await self.recordFailure(at: now, locationId: locationId, method: .wifi, deviceId: login.device.id,
                                                 customerId: token?.customerId, credential: String(login.username.prefix(200)),
                                                 reason: .unknownCredential, on: db)
                return .reject(.unknownCredential)
            }
            // A login happens now: timed inside the writer's turn, so a wait for the turn never
            // makes it look dated in the past.
            let now = self.clock.now()
            func refuse(_ reason: ReasonCode) async throws -> WifiAccess {
                _ = try await self.recordFailure(at: now, locationId: locationId, method: .wifi, deviceId: login.device.id,
                                                 customerId: customer.id, credential: login.username, reason: reason, on: db)
                return .reject(reason)
            }
            if let expiresAt = token.expiresAt, expiresAt <= now { return try await refuse(.tokenExpired) }
            let device = login.device(of: token)
            // Counted under the token's lock: another server's login with it waits for this commit.
            if token.maxDevices != nil { try await db.lockAdmissions([.devices(token.requireID())]) }
            if let maximum = token.maxDevices,
               !DeviceLimit(maximum: maximum).admits(device, online: try await self.devicesOnline(token.requireID(), on: db)) {
                return try await refuse(.deviceLimitReached)
            }
            let attempt = Attempt(customer: customer, location: location, at: now, method: .wifi, deviceId: login.device.id,
                                  credential: login.username,
                                  wifi: WifiSession(sessionId: login.sessionId, mac: login.mac, idleTimeout: idleTimeout), accessToken: token)
            switch try await self.admit(attempt, on: db) {
            case .checkedIn(let visit, let admitted):
                try await self.deviceOnline(device, token: token, visit: visit, login: login, on: db)
                return .accept(sessionTimeout: admitted.entitlementEndsAt.map { Self.seconds(from: now, to: $0) })
            case .alreadyIn(let visit):
                // A device roaming or logging in again, or another of the customer's devices: the same visit, alive.
                if visit.method == CheckInMethod.wifi.rawValue {
                    visit.lastActivityAt = max(visit.lastActivityAt ?? now, now)
                    if let mac = login.mac { visit.wifiMac = mac }
                    if let sessionId = login.sessionId { visit.wifiSessionId = sessionId }
                    visit.closesAt = visit.scheduledClosing(zone: location.zone, wifiIdleTimeout: idleTimeout).due
                    try await visit.update(on: db)
                }
                try await self.deviceOnline(device, token: token, visit: visit, login: login, on: db)
                // What the visit's entitlement has left; none once it ran out and the visit runs
                // on (`overtime: allow`). A visit from before the column was kept has its time limit.
                let ends = visit.entitlementEndsAt ?? visit.timeLimitAt
                return .accept(sessionTimeout: ends.flatMap { $0 > now ? Self.seconds(from: now, to: $0) : nil })
            case .refused(let reason, _):
                return .reject(reason)
            }
        }
    }

    /// The devices online on a token: those with a session that has not stopped, in a visit still open.
    func devicesOnline(_ tokenId: UUID, on db: any Database) async throws -> Set<String> {
        try await devicesOnline([tokenId], on: db)[tokenId] ?? []
    }

    /// The same for several tokens, in one query.
    func devicesOnline(_ tokens: [UUID], on db: any Database) async throws -> [UUID: Set<String>] {
        guard !tokens.isEmpty else { return [:] }
        return try await WifiDeviceModel.query(on: db)
            .join(CheckInModel.self, on: \WifiDeviceModel.$checkInId == \CheckInModel.$id)
            .filter(\.$accessTokenId ~~ tokens).filter(\.$endedAt == nil)
            .filter(CheckInModel.self, \.$checkedOutAt == nil)
            .all().reduce(into: [:]) { $0[$1.accessTokenId, default: []].insert($1.device) }
    }

    /// Notes the device as online in the visit (once per device and visit).
    private func deviceOnline(_ device: String, token: AccessTokenModel, visit: CheckInModel, login: WifiLogin, on db: any Database) async throws {
        let visitId = try visit.requireID()
        let row = try await WifiDeviceModel.query(on: db).filter(\.$checkInId == visitId).filter(\.$device == device)
            .filter(\.$endedAt == nil).first() ?? WifiDeviceModel()
        row.checkInId = visitId
        row.accessTokenId = try token.requireID()
        row.device = device
        row.nasId = login.device.id
        row.sessionId = login.sessionId ?? row.sessionId
        try await row.save(on: db)
    }

    /// Whole seconds, rounded up and at least one: many NASes take a Session-Timeout of 0 as no limit.
    private static func seconds(from now: Date, to end: Date) -> Int { max(1, Int(saturating: end.timeIntervalSince(now).rounded(.up))) }

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
    /// activity (many records at a time, see `applyWifiActivity`); Stop checks out; On/Off
    /// closes the NAS's open Wi-Fi visits.
    func wifiAccounting(_ record: WifiAccounting) async throws {
        switch record.status {
        case .start, .interim:
            try await writer.record(record) { db, records in try await self.applyWifiActivity(records, on: db) }
        case .stop:
            try await writer.perform { db in
                guard let visit = try await self.wifiVisit(record, on: db) else { return }
                // One of several devices leaving frees its place; the visit goes on while another is online.
                let online = try await WifiDeviceModel.query(on: db).filter(\.$checkInId == visit.requireID()).filter(\.$endedAt == nil).all()
                var leaving = online.filter { ($0.nasId == record.device.id && $0.sessionId != nil && $0.sessionId == record.sessionId)
                    || (record.mac != nil && $0.device == record.mac) }
                // A NAS that named no session at login: its one device there without a session is the one leaving.
                let unnamed = online.filter { $0.nasId == record.device.id && $0.sessionId == nil }
                if leaving.isEmpty, unnamed.count == 1 { leaving = unnamed }
                for device in leaving {
                    device.endedAt = record.at
                    try await device.update(on: db)
                }
                // A Stop for a session none of them has (a late or repeated Stop of an earlier
                // session) changes nothing; the idle timeout closes what really went quiet.
                if online.count > leaving.count { return }
                _ = try await self.close(visit, at: max(record.at, visit.checkedInAt), method: .wifi, on: db)
            }
        case .nasOn, .nasOff:
            let deviceId = try record.device.requireID()
            try await writer.perform { db in
                let open = try await CheckInModel.query(on: db).filter(\.$deviceId == deviceId)
                    .filter(\.$method == CheckInMethod.wifi.rawValue).filter(\.$checkedOutAt == nil).all()
                for visit in open { _ = try await self.close(visit, at: max(record.at, visit.checkedInAt), method: .wifi, on: db) }
                if !open.isEmpty { self.logger.info("NAS restarted: closed its Wi-Fi visits", metadata: ["count": "\(open.count)"]) }
            }
        }
    }

    /// Starts and Interim-Updates, in the order they came: the open visits of their sessions in
    /// one query, the rules in memory, the changes in one statement. A Start, or more octets than
    /// the visit has seen, is activity; it pushes back the idle closing.
    func applyWifiActivity(_ records: [WifiAccounting], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let sessions = Array(Set(records.compactMap(\.sessionId)))
        var visits: [String: CheckInModel] = [:]
        if !sessions.isEmpty {
            let rows = try await sql.raw("""
                SELECT id, device_id, wifi_session_id, location_id, checked_in_at, method, time_limit_at, last_activity_at, wifi_octets, wifi_mac
                FROM check_ins WHERE checked_out_at IS NULL AND wifi_session_id IN (\(binds: sessions))
                """).all()
            for row in rows {
                let visit = CheckInModel()
                visit.id = try row.decode(column: "id", as: UUID.self)
                visit.deviceId = try row.decode(column: "device_id", as: UUID?.self)
                visit.wifiSessionId = try row.decode(column: "wifi_session_id", as: String?.self)
                visit.locationId = try row.decode(column: "location_id", as: UUID.self)
                visit.checkedInAt = try row.decode(column: "checked_in_at", as: Date.self)
                visit.method = try row.decode(column: "method", as: String.self)
                visit.timeLimitAt = try row.decode(column: "time_limit_at", as: Date?.self)
                visit.lastActivityAt = try row.decode(column: "last_activity_at", as: Date?.self)
                visit.wifiOctets = try row.decode(column: "wifi_octets", as: Int64?.self)
                visit.wifiMac = try row.decode(column: "wifi_mac", as: String?.self)
                visits[Self.sessionKey(visit.deviceId, visit.wifiSessionId)] = visit
            }
        }
        var changed: [UUID: CheckInModel] = [:]
        for record in records {
            let key = Self.sessionKey(record.device.id, record.sessionId)
            var found = visits[key]
            if found == nil, let visit = try await wifiVisit(record, on: db) {
                // A NAS that sent no session id at login: this record names the session.
                visit.wifiSessionId = visit.wifiSessionId ?? record.sessionId
                try await visit.update(on: db)
                visits[key] = visit
                found = visit
            }
            guard let visit = found else { continue }
            let traffic = record.octets.map { $0 > (visit.wifiOctets ?? 0) } ?? false
            if record.status == .start || traffic { visit.lastActivityAt = max(visit.lastActivityAt ?? record.at, record.at) }
            if let octets = record.octets { visit.wifiOctets = max(visit.wifiOctets ?? 0, octets) }
            if let mac = record.mac { visit.wifiMac = mac }
            changed[visit.id!] = visit
        }
        guard !changed.isEmpty else { return }
        var rows: [any SQLExpression] = []
        for visit in changed.values {
            guard let zone = try await lookups.location(visit.locationId, on: db)?.rules.zone else { continue }
            let closesAt = visit.scheduledClosing(zone: zone, wifiIdleTimeout: wifiIdleTimeout).due
            rows.append(SQLGroupExpression([SQLBind(visit.id!), SQLBind(visit.lastActivityAt), SQLBind(visit.wifiOctets),
                                            SQLBind(visit.wifiMac), SQLBind(closesAt)]))
        }
        for chunk in rows.chunks(ofCount: 200) {
            try await sql.raw("""
                WITH activity(id, last_activity_at, wifi_octets, wifi_mac, closes_at) AS (VALUES \(SQLList(Array(chunk))))
                UPDATE check_ins SET last_activity_at = activity.last_activity_at, wifi_octets = activity.wifi_octets,
                    wifi_mac = activity.wifi_mac, closes_at = activity.closes_at
                FROM activity WHERE check_ins.id = activity.id AND check_ins.checked_out_at IS NULL
                """).run()
        }
    }

    private static func sessionKey(_ device: UUID?, _ session: String?) -> String { "\(device?.uuidString ?? "")|\(session ?? "")" }

    /// The open visit an accounting record is about: by its session id, else (a NAS that did not
    /// send the id at login) the token holder's open Wi-Fi visit at this NAS's location.
    private func wifiVisit(_ record: WifiAccounting, on db: any Database) async throws -> CheckInModel? {
        if let sessionId = record.sessionId,
           let visit = try await CheckInModel.query(on: db).filter(\.$wifiSessionId == sessionId)
               .filter(\.$deviceId == record.device.requireID()).filter(\.$checkedOutAt == nil).first() {
            return visit
        }
        guard let username = record.username,
              let tokenCustomer = try await AccessTokenModel.query(on: db).filter(\.$username == username).first()?.customerId
        else { return nil }
        return try await CheckInModel.query(on: db).filter(\.$customerId == tokenCustomer).filter(\.$checkedOutAt == nil)
            .filter(\.$locationId == record.device.locationId).filter(\.$method == CheckInMethod.wifi.rawValue).first()
    }
}
