import Fluent
import FootfallCore
import SQLKit
import Vapor

/// The check-in ledger: admits or refuses attempts, records visits and failed check-ins,
/// checks out, and closes what is due. Every way of checking in ends up here.
public final class Ledger: Sendable {
    let database: any Database
    let clock: any WallClock
    let logger: Logger
    /// Every write of the ledger goes through here, many to a transaction.
    let writer: LedgerWriter
    /// Devices, locations and card holders, as device events look them up.
    let lookups = Lookups()
    /// What the ledger commits, for the events stream.
    let live = LiveEvents()
    /// What the ledger commits, for webhook subscriptions.
    let outbox = WebhookOutbox()
    let metrics: FootfallMetrics
    /// How long a Wi-Fi visit may go without traffic before it is closed at its last activity.
    let wifiIdleTimeout: TimeInterval
    /// How PINs are stored and looked up.
    let pins: PinHasher
    /// The keys of members' rotating codes.
    let memberCodes: MemberCodeKeys
    /// The currency of pay-as-you-go charges.
    let currency: String
    /// Wi-Fi logins with an unknown name or wrong password stored per NAS and minute.
    let unknownWifiLogins = RecordingLimit(perMinute: 20)

    /// - Parameters:
    ///   - database: where the ledger reads outside its writes.
    ///   - writer: the connection the ledger's writer keeps to itself (see `DatabaseID.ledger`).
    ///   - thread: where the writer runs, and on SQLite its connection's calls (see `WriterThread`).
    init(database: any Database, writer: any Database, on thread: WriterThread, clock: any WallClock, logger: Logger,
         wifiIdleTimeout: TimeInterval = 900, pins: PinHasher, memberCodes: MemberCodeKeys, currency: String = "EUR",
         metrics: FootfallMetrics = FootfallMetrics()) {
        self.database = database
        self.metrics = metrics
        self.currency = currency
        self.pins = pins
        self.memberCodes = memberCodes
        self.clock = clock
        self.logger = logger
        self.wifiIdleTimeout = wifiIdleTimeout
        self.writer = LedgerWriter(database: writer, on: thread, live: live, outbox: outbox, metrics: metrics, clock: clock, logger: logger)
    }

    /// One attempt by a known customer.
    struct Attempt: Sendable {
        var customer: CustomerModel
        var location: LocationModel
        var at: Date
        var method: CheckInMethod
        /// Whether `at` was given by the device or the admin (else it is the time it came in).
        var stamped = false
        var deviceId: UUID?
        var credential: String?
        /// For a Wi-Fi check-in: the session it starts.
        var wifi: WifiSession?
        /// For a Wi-Fi check-in: the access token logged in with (its allowance admits last but one).
        var accessToken: AccessTokenModel?
    }

    /// What a Wi-Fi check-in knows of its session; the check-in counts as its first activity.
    struct WifiSession: Sendable {
        var sessionId: String?
        var mac: String?
        var idleTimeout: TimeInterval
    }

    enum Outcome: Sendable {
        case checkedIn(CheckInModel, Admitted)
        case alreadyIn(CheckInModel)
        case refused(ReasonCode, FailedCheckInModel)
    }

    /// An admin or integration write (customers, cards, PINs, passes, tokens): in the writer's
    /// next commit beside whatever else waits there, so that many at once share one commit (one
    /// fsync), and answered once committed. Checks that must hold when it is written (an email
    /// or a card nobody else has) belong inside `body`; if it throws, it alone is rolled back.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await writer.perform(body)
    }

    func checkIn(_ attempt: Attempt) async throws -> Outcome {
        try await writer.perform { db in try await self.admit(attempt, on: db) }
    }

    func admit(_ attempt: Attempt, on db: any Database) async throws -> Outcome {
        let customerId = try attempt.customer.requireID()
        let locationId = try attempt.location.requireID()
        let now = clock.now()
        try await closeDue(at: now, customerId: customerId, on: db)

        let standing = Standing(db: db)
        var backDated = CheckInRules.isBackDated(attempt.at, now: now)
        var (open, nextVisitAt) = try await standing.whereabouts(customerId: customerId, at: attempt.at, backDated: backDated)
        if !backDated, attempt.stamped, attempt.at < now, open?.locationId != locationId,
           try await standing.visitChanged(customerId: customerId, after: attempt.at) {
            backDated = true
            (open, nextVisitAt) = try await standing.whereabouts(customerId: customerId, at: attempt.at, backDated: true)
        }
        // The count of people in is read under the location's lock: another server admitting
        // to it waits for this commit (capped locations only).
        if attempt.location.capacity != nil { try await db.lockAdmissions([.occupancy(locationId)]) }

        var request = try await standing.admissionRequest(customer: attempt.customer, location: attempt.location, at: attempt.at,
                                                          backDated: backDated)
        if let token = attempt.accessToken { request.accessToken = try await standing.allowance(of: token, at: attempt.at) }
        var checkIn = CheckInAttempt(request: request, open: open.map(OpenVisit.init), passes: nil, nextVisitAt: nextVisitAt, now: now,
                                     backDated: backDated)
        while true {
            switch CheckInRules.decide(checkIn) {
            case .needsPasses:
                checkIn.passes = try await standing.passes(customerId: customerId, at: attempt.at)
            case .alreadyIn:
                return .alreadyIn(open!)
            case .refused(let reason):
                let failed = try await recordFailure(
                    at: attempt.at, locationId: locationId, method: attempt.method, deviceId: attempt.deviceId,
                    customerId: customerId, credential: attempt.credential, reason: reason, on: db)
                return .refused(reason, failed)
            case .admitted(let effects):
                if let moveOut = effects.moveOut, let open { _ = try await close(open, at: moveOut.at, method: .moved, revising: true, on: db) }
                let visit = CheckInModel(try Self.newVisit(attempt, effects, request))
                try await visit.create(on: db)
                PendingEvents.checkIn(visit)
                if visit.checkedOutAt != nil { PendingEvents.checkOut(visit) }
                if let use = effects.dayPassUse {
                    try await PassModel.query(on: db).filter(\.$id == use.pass).set(\.$usedOn, to: use.day.description).update()
                }
                return .checkedIn(visit, effects.admitted)
            }
        }
    }

    /// The visit an admitted attempt opens, with when it closes by itself; not yet stored.
    static func newVisit(_ attempt: Attempt, _ effects: CheckInEffects, _ request: AdmissionRequest) throws -> CheckInRow {
        newVisit(customerId: try attempt.customer.requireID(), method: attempt.method, deviceId: attempt.deviceId, wifi: attempt.wifi,
                 effects, request)
    }

    static func newVisit(customerId: UUID, method: CheckInMethod, deviceId: UUID?, wifi: WifiSession?, _ effects: CheckInEffects,
                         _ request: AdmissionRequest) -> CheckInRow {
        let new = effects.visit
        var visit = CheckInRow(id: .timeOrdered(), customerId: customerId, locationId: new.locationId, checkedInAt: new.checkedInAt,
                               method: method.rawValue, deviceId: deviceId, timeLimitAt: new.timeLimitAt,
                               entitlementEndsAt: effects.admitted.entitlementEndsAt)
        switch new.entitlement {
        case .plan(let id): visit.admittedPlanId = id
        case .pass(let id): visit.admittedPassId = id
        case .accessToken(let id): visit.admittedTokenId = id
        case .payAsYouGo: break
        }
        if let chargedFrom = effects.admitted.chargedFrom, let rate = request.payAsYouGo {
            visit.chargedFrom = chargedFrom
            visit.chargeRateJSON = try? String(decoding: JSONEncoder().encode(rate), as: UTF8.self)
        }
        if let closed = new.closed { visit = visit.closed(at: closed.at, method: closed.method) }
        if let wifi {
            visit.wifiSessionId = wifi.sessionId
            visit.wifiMac = wifi.mac
            visit.lastActivityAt = request.at
        }
        visit.closesAt = visit.scheduledClosing(zone: request.location.zone, wifiIdleTimeout: wifi?.idleTimeout ?? 0).due
        return visit
    }

    /// Stores a refused attempt. Also for refusals decided before a customer is known
    /// (an unknown card, a locked PIN pad).
    func recordFailure(at: Date, locationId: UUID, method: CheckInMethod, deviceId: UUID?, customerId: UUID?,
                       credential: String?, reason: ReasonCode, on db: (any Database)? = nil) async throws -> FailedCheckInModel {
        let failed = FailedCheckInModel(at: at, locationId: locationId, method: method, deviceId: deviceId,
                                        customerId: customerId, credential: credential, reason: reason)
        try await failed.create(on: db ?? database)
        PendingEvents.failedCheckIn(failed)
        logger.info("check-in refused", metadata: ["reason": .string(reason.rawValue), "location": .string(locationId.uuidString)])
        return failed
    }

    enum CheckOutOutcome: Sendable {
        case checkedOut(CheckInModel)
        case alreadyCheckedOut(CheckInModel)
    }

    func checkOut(_ visitId: UUID, at: Date?, method: CheckInMethod) async throws -> CheckOutOutcome {
        try await writer.perform { db in
            try await self.closeDue(at: self.clock.now(), visitId: visitId, on: db)
            guard let visit = try await CheckInModel.find(visitId, on: db) else { throw LedgerError.noSuchVisit }
            guard visit.checkedOutAt == nil else { return .alreadyCheckedOut(visit) }
            // Without a time: now, but never before the check-in (a check-in dated a little
            // ahead, or a time read back from the database a hair later than it was written).
            let when = at ?? max(self.clock.now(), visit.checkedInAt)
            guard when >= visit.checkedInAt - 0.001 else {
                throw LedgerError.impossibleTime(field: "at", detail: "must not be before the check-in (\(RFC3339.format(visit.checkedInAt))).")
            }
            guard try await self.close(visit, at: max(when, visit.checkedInAt), method: method, on: db) else {
                return .alreadyCheckedOut(try await CheckInModel.find(visitId, on: db) ?? visit)
            }
            return .checkedOut(visit)
        }
    }

    /// Closes an open visit unless someone else closed it first; says whether this call did.
    /// `revising`: a move dated in the past also moves a closing applied since back to `at`.
    func close(_ visit: CheckInModel, at: Date, method: CheckInMethod, revising: Bool = false, on db: any Database) async throws -> Bool {
        let closed = try await (db as! any SQLDatabase).update(CheckInModel.schema)
            .set("checked_out_at", to: at)
            .set("check_out_method", to: method.rawValue)
            .where("id", .equal, visit.requireID())
            .where { condition in
                let open = condition.where("checked_out_at", .is, SQLLiteral.null)
                return revising ? open.orWhere("checked_out_at", .greaterThan, SQLBind(at)) : open
            }
            .returning("id")
            .all()
        guard !closed.isEmpty else { return false }
        visit.checkedOutAt = at
        visit.checkOutMethod = method.rawValue
        PendingEvents.checkOut(visit)
        return true
    }

    /// Closes every open visit whose cut-off, time limit or Wi-Fi idle timeout has passed, at the moment it should
    /// have closed. Returns how many it closed.
    @discardableResult
    func closeDue(at now: Date, customerId: UUID? = nil, visitId: UUID? = nil, on db: (any Database)? = nil) async throws -> Int {
        let db = db ?? database
        var query = CheckInModel.query(on: db).filter(\.$checkedOutAt == nil).filter(\.$closesAt <= now)
        if let customerId { query = query.filter(\.$customerId == customerId) }
        if let visitId { query = query.filter(\.$id == visitId) }
        let due = try await query.all()
        guard !due.isEmpty else { return 0 }
        let zones = try await Standing(db: db).locationZones()
        var count = 0
        for visit in due {
            guard let zone = zones[visit.locationId], let closing = visit.dueClosing(zone: zone, wifiIdleTimeout: wifiIdleTimeout, now: now)
            else { continue }
            if try await close(visit, at: closing.at, method: closing.method, on: db) { count += 1 }
        }
        if count > 0 { logger.info("closed visits automatically", metadata: ["count": .stringConvertible(count)]) }
        return count
    }

    /// Sweeps through the writer, so that it never races a check-in in this process; says how
    /// many visits it closed.
    @discardableResult
    func sweep() async throws -> Int {
        let closed = try await writer.perform { db in try await self.closeDue(at: self.clock.now(), on: db) }
        // The people-in gauges as the database has them, other servers' changes included.
        try await countPeopleIn()
        // In a turn of its own: charges that cannot be stored never hold back visits' closings.
        do {
            try await writer.perform { db in try await self.settleCharges(at: self.clock.now(), on: db) }
        } catch {
            logger.error("storing final charges failed; the next sweep tries again: \(String(reflecting: error))")
        }
        return closed
    }

    /// The earliest moment an open visit is due to close, for the sweeper's next wake-up.
    func nextClosing() async throws -> Date? {
        try await CheckInModel.query(on: database).filter(\.$checkedOutAt == nil).sort(\.$closesAt).first()?.closesAt
    }
}

extension Ledger {
    /// Saves a location's changes. With a new cut-off or time zone (`reschedule`), its open
    /// visits close by the new rule, moved in the same transaction: the change and what follows
    /// from it are stored together or not at all.
    func update(_ location: LocationModel, reschedulingOpenVisits reschedule: Bool) async throws {
        let locationId = try location.requireID(), zone = location.zone
        try await writer.perform { db in
            if reschedule {
                let open = try await CheckInModel.query(on: db)
                    .filter(\.$locationId == locationId).filter(\.$checkedOutAt == nil).all()
                for visit in open {
                    visit.closesAt = visit.scheduledClosing(zone: zone, wifiIdleTimeout: self.wifiIdleTimeout).due
                    try await visit.update(on: db)
                }
            }
            // Last: a model Fluent has saved once is not saved again when the job is retried.
            try await location.update(on: db)
        }
    }
}
