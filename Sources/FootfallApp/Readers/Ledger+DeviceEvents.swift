import Fluent
import PostgresKit
import SQLKit
import FootfallCore
import Vapor

extension Ledger {
    /// Applies a device event once. The event and everything it changes are stored together
    /// (in one transaction, or one statement) before the answer is returned; the same event id
    /// again returns the stored answer, byte for byte, and changes nothing.
    ///
    /// Answers on `eventLoop`, and runs there until the event is handed to the writer (the
    /// location comes from memory but on a miss): no task and no hop through Swift's shared
    /// threads. That path cost about 55 µs of CPU a request more than this one, half again the
    /// framework's own POST (footfall-bench's `hook-async` against `hook-loop`; BENCHMARKS.md,
    /// "Session 28").
    func record(_ event: DeviceEvent, on eventLoop: any EventLoop) -> EventLoopFuture<String> {
        if let location = lookups.locations.value(for: event.device.locationId) { return record(event, at: location, on: eventLoop) }
        let lookup = eventLoop.makeFutureWithTask {
            try await APIError.beforeAnyWrite(logger: self.logger) { try await self.lookups.location(event.device.locationId, on: self.database) }
        }
        return lookup.flatMap { location in
            guard let location else { return eventLoop.makeFailedFuture(LedgerError.noSuchLocation) }
            return self.record(event, at: location, on: eventLoop)
        }
    }

    private func record(_ event: DeviceEvent, at location: KnownLocation, on eventLoop: any EventLoop) -> EventLoopFuture<String> {
        let prepared: PreparedDeviceEvent
        do { prepared = try PreparedDeviceEvent(event: event, location: location) } catch { return eventLoop.makeFailedFuture(error) }
        let answer = eventLoop.makePromise(of: String.self)
        writer.record(prepared, batch: { db, transaction, events in
            try await DeviceEventBatch(ledger: self, db: db, transaction: transaction, now: self.clock.now()).run(events)
        }, then: answer.completeWith)
        return answer.futureResult
    }

    enum Identification: Sendable {
        case customer(Holder, credentialKey: String)
        /// With what a failed check-in may keep of the credential.
        case refused(ReasonCode, credential: String?)
        /// An event id this device has had an answer for (stored, or earlier in the batch): not
        /// looked at again, so a retry is never counted as another guess.
        case answeredBefore
    }

    /// What a batch's rules read of the customer a credential belongs to: a plain value, where a
    /// `CustomerModel` allocates a property wrapper for each column (see `CheckInRow`).
    struct Holder: Sendable {
        var id: UUID
        var name: String
        var active: Bool
        var planId: UUID?
        /// The customer's own pay-as-you-go rate (it wins over the plan's).
        var ownRate: PayAsYouGoRate?

        /// The pay-as-you-go rate that applies: the customer's own, else their plan's.
        func payAsYouGoRate(plan: PlanModel?) -> PayAsYouGoRate? { ownRate ?? plan?.payAsYouGo.rate }
    }

    /// Finds whose credential this is. PIN and member-code entry are refused first while the
    /// kiosk is locked for too many wrong ones, so a locked kiosk tells nobody whether a PIN
    /// or code is right; each wrong one is counted in `guesses` as it is judged.
    func identify(_ event: DeviceEvent, guesses: inout GuessAttempts, on db: any Database) async throws -> Identification {
        switch event.type {
        case .pin:
            if try await guesses.isLocked(event.device, .kioskPin, on: db) { return .refused(.pinLocked, credential: nil) }
            guard let customer = try await CustomerModel.query(on: db).filter(\.$pinHash == pins.digest(event.value)).first() else {
                guesses.wrong(event.device, .kioskPin)
                return .refused(.unknownCredential, credential: nil)
            }
            return .customer(try Holder(customer), credentialKey: "pin:\(try customer.requireID())")

        case .card:
            return try await identifyCards([event.value], on: db).holders[0]

        case .memberCode:
            if try await guesses.isLocked(event.device, .memberCode, on: db) { return .refused(.codeLocked, credential: nil) }
            // Judged on the server's clock: a device's `at` cannot revive an old code.
            guard let code = MemberCode(event.value), let customer = try await CustomerModel.find(code.customerId, on: db),
                  let step = memberCodes.totp(memberSecret: customer.memberSecret).matchingCounter(code.code, at: guesses.now)
            else {
                guesses.wrong(event.device, .memberCode)
                return .refused(.unknownCredential, credential: nil)
            }
            // A code already used (a scanner reading the same screen twice) is refused, but it is
            // the member's own code, not a guess.
            guard step > (customer.memberCodeStep ?? .min) else { return .refused(.unknownCredential, credential: nil) }
            customer.memberCodeStep = step
            try await customer.update(on: db)
            return .customer(try Holder(customer), credentialKey: "member_code:\(try customer.requireID())")

        case .door:
            guard let door = event.door, let customer = try await doorUser(door, on: db) else {
                return .refused(.unknownCredential, credential: event.value)
            }
            return .customer(try Holder(customer), credentialKey: "door:\(try customer.requireID())")
        }
    }

    /// The customer with this external id at the door system, else with this email.
    private func doorUser(_ door: DoorUnlock, on db: any Database) async throws -> CustomerModel? {
        if let externalId = door.externalId,
           let link = try await ExternalIdModel.query(on: db).filter(\.$system == door.system).filter(\.$externalId == externalId).first() {
            return try await CustomerModel.find(link.customerId, on: db)
        }
        guard let email = door.email else { return nil }
        return try await CustomerModel.query(on: db).filter(\.$email == email).first()
    }

    /// Who holds each of these card numbers, as readers report them.
    func identifyCards(_ numbers: [String], on db: any Database) async throws -> (holders: [Identification], open: [CheckInRow]) {
        try await identifyCards(numbers.map { ($0, CardNumber.readings(of: $0).map(\.hex)) }, on: db)
    }

    /// Who holds each card readers reported, by the most specific reading (`CardNumber.readings`,
    /// as hex) of what each sent that matches a card, with the holder's open visit if they are
    /// in: one query for all the cards of a batch.
    func identifyCards(_ presented: [(value: String, readings: [String])], on db: any Database) async throws
        -> (holders: [Identification], open: [CheckInRow]) {
        let all = Array(Set(presented.flatMap(\.readings)))
        guard !all.isEmpty else { return try Self.cardHolders(presented, in: [SQLColumns]()) }
        if let postgres = db as? any PostgresDatabase {
            return try Self.cardHolders(presented, in: try await postgres.rows(CardHolders(keys: all)).map { $0.makeRandomAccess() })
        }
        return try Self.cardHolders(presented, in: try await (db as! any SQLDatabase)
            .raw("\(unsafeRaw: CardHolders.select) WHERE k.key IN (\(binds: all))").all().map(SQLColumns.init))
    }

    /// `identifyCards` from rows of `CardHolders`' columns, however they were read.
    static func cardHolders<Row: ColumnValues>(_ presented: [(value: String, readings: [String])], in rows: [Row]) throws
        -> (holders: [Identification], open: [CheckInRow]) {
        var holders: [String: (Holder, UUID)] = [:]
        var open: [CheckInRow] = []
        for row in rows {
            let rate = RateColumns.rate(price: try row.value("payg_price", as: Int?.self),
                                        increment: try row.value("payg_increment", as: Int?.self),
                                        dailyMinimum: try row.value("payg_daily_minimum", as: Int?.self),
                                        dailyMaximum: try row.value("payg_daily_maximum", as: Int?.self))
            let holder = Holder(id: try row.value("customer_id", as: UUID.self), name: try row.value("name", as: String.self),
                                active: try row.value("active", as: Bool.self),
                                planId: try row.value("plan_id", as: UUID?.self), ownRate: rate)
            holders[try row.value("reading", as: String.self)] = (holder, try row.value("card_id", as: UUID.self))
            if let visitId = try row.value("visit_id", as: UUID?.self) {
                open.append(CheckInRow(
                    id: visitId, customerId: holder.id, locationId: try row.value("location_id", as: UUID.self),
                    checkedInAt: try row.value("checked_in_at", as: Date.self), method: try row.value("method", as: String.self),
                    deviceId: try row.value("visit_device_id", as: UUID?.self),
                    admittedPlanId: try row.value("admitted_plan_id", as: UUID?.self),
                    admittedPassId: try row.value("admitted_pass_id", as: UUID?.self),
                    admittedTokenId: try row.value("admitted_token_id", as: UUID?.self),
                    chargedFrom: try row.value("charged_from", as: Date?.self),
                    timeLimitAt: try row.value("time_limit_at", as: Date?.self),
                    closesAt: try row.value("closes_at", as: Date?.self),
                    lastActivityAt: try row.value("last_activity_at", as: Date?.self)))
            }
        }
        let identified: [Identification] = presented.map { value, readings in
            guard let (holder, cardId) = readings.lazy.compactMap({ holders[$0] }).first else {
                return .refused(.unknownCredential, credential: CardNumber.masked(value))
            }
            return .customer(holder, credentialKey: Self.cardCredentialKey(cardId))
        }
        return (identified, open)
    }

    /// What a card's taps are stored under (`device_events.credential_key`): "card:" and the
    /// card's id in capitals, as `UUID` writes it.
    static func cardCredentialKey(_ cardId: UUID) -> String { "card:\(cardId.uuidString)" }

    /// `cardCredentialKey` in PostgreSQL, of the card id in `column` (`uuid::text` is in small
    /// letters).
    static func cardCredentialKeySQL(_ column: String) -> String { "'card:' || upper(\(column)::text)" }
}

/// `identifyCards`'s query: the cards with these keys, their holders, and the holders' open
/// visits. `CardTurnReads` selects the same columns, beside a card turn's other reads.
struct CardHolders: RepeatedStatement {
    static let columnList = [
        "k.key AS reading", "k.card_id", "c.id AS customer_id", "c.name", "c.active", "c.plan_id",
        "c.payg_price", "c.payg_increment", "c.payg_daily_minimum", "c.payg_daily_maximum",
        "v.id AS visit_id", "v.location_id", "v.checked_in_at", "v.method", "v.device_id AS visit_device_id", "v.admitted_plan_id",
        "v.admitted_pass_id", "v.admitted_token_id", "v.charged_from", "v.time_limit_at", "v.closes_at", "v.last_activity_at",
    ]
    static let columns = columnList.joined(separator: ", ")
    static let from = """
        FROM card_keys k
        JOIN cards ca ON ca.id = k.card_id
        JOIN customers c ON c.id = ca.customer_id
        LEFT JOIN check_ins v ON v.customer_id = c.id AND v.checked_out_at IS NULL
        """
    static let select = "SELECT \(columns) \(from)"
    static let name = "footfall_card_holders"
    static let sql = select + " WHERE k.key = ANY($1)"
    static let bindingDataTypes: [PostgresDataType] = [.textArray]

    var keys: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(keys)
        return bindings
    }
}

extension Ledger.Holder {
    init(_ customer: CustomerModel) throws {
        self.init(id: try customer.requireID(), name: customer.name, active: customer.active, planId: customer.planId,
                  ownRate: customer.payAsYouGo.rate)
    }
}
