import Algorithms
import Fluent
import FootfallCore
import PostgresKit
import SQLKit
import Vapor

/// Decides a batch of device events together, in the writer's turn: it reads what they need in
/// a few queries, applies the rules to each event in arrival order in memory (so that later
/// events see what earlier ones did), and writes the outcome in a few statements. Many readers
/// at once cost a few round trips to the database, not a few per event.
///
/// On PostgreSQL the writer leaves it to the batch to begin the transaction. A batch of card
/// taps that only open visits or are refused never does: it reads, then writes everything in one
/// statement, atomic alone. What begins it: any other credential, judged one by one (a kiosk's
/// lock, a member code used up as it is judged), a location with a capacity (its lock), closing
/// a visit (the check that nobody closed it first), a back-dated check-in and a day pass. Its
/// rows go in one prepared statement however many there are (`BatchRowsStatement`).
struct DeviceEventBatch {
    let ledger: Ledger
    let db: any Database
    let transaction: WriteTransaction
    let now: Date

    init(ledger: Ledger, db: any Database, transaction: WriteTransaction, now: Date) {
        self.ledger = ledger
        self.db = db
        self.transaction = transaction
        self.now = now
    }

    func run(_ prepared: [PreparedDeviceEvent]) async throws -> [String] {
        if prepared.contains(where: { $0.event.type != .card }) { try await transaction.begin() }
        // Every card of the batch in one query; PINs and member codes one by one (the lockout
        // counts, and each code works once).
        let cards = prepared.filter { $0.event.type == .card }
        let presented = cards.map { ($0.event.value, $0.cardReadings) }
        let since = Self.tapsSince(prepared, now: now)
        let holders: [Ledger.Identification], openVisits: [CheckInRow], earlier: [PostgresRandomAccessRow]?
        // On PostgreSQL a turn of card taps alone reads everything in one statement: one round
        // trip, where the holders and then their earlier taps took two.
        if cards.count == prepared.count, let postgres = db as? any PostgresDatabase {
            let rows = try await postgres.rows(CardTurnReads(prepared, since: since)).map { $0.makeRandomAccess() }
            let (holderRows, others) = try rows.partitioned(by: { try $0.value("kind", as: String.self) != "holder" })
            (holders, openVisits) = try Ledger.cardHolders(presented, in: holderRows)
            earlier = others
        } else {
            (holders, openVisits) = try await ledger.identifyCards(presented, on: db)
            earlier = nil
        }
        var cardHolders = holders.makeIterator()
        // A retried PIN or member code is answered from what was stored and never judged again,
        // so it is not counted as another guess.
        var answeredBefore = try await answeredEventIds(prepared.filter { $0.event.type != .card })
        var guesses = GuessAttempts(now: now)
        var identified: [Ledger.Identification] = []
        for item in prepared {
            if item.event.type == .card, let holder = cardHolders.next() {
                identified.append(holder)
            } else if !answeredBefore.insert(Self.key(item.deviceId, item.event.eventId)).inserted {
                identified.append(.answeredBefore)
            } else {
                identified.append(try await ledger.identify(item.event, guesses: &guesses, on: db))
            }
        }
        var state = try await load(prepared, identified, knownOpen: openVisits, earlier: earlier, tapsSince: since,
                                   othersThanCards: cards.count < prepared.count)
        var answers: [String] = []
        for (item, identity) in zip(prepared, identified) {
            answers.append(try await decide(item, identity, &state))
        }
        try await write(state)
        return answers
    }

    // MARK: What the batch reads

    private struct State {
        /// Answers already given, by device and event id (from earlier requests or this batch).
        var answered: [DeviceKey: String]
        /// Each customer's open visit, as the batch changes it.
        var open: [UUID: CheckInRow]
        /// When each credential was last accepted at each device.
        var lastAccepted: [DeviceKey: Date]
        /// People in at each location that has a capacity.
        var occupancy: [UUID: Int]
        var plans: [UUID: PlanModel]
        /// Each plan's rules, made from its model once for the batch rather than for each tap.
        var planRules: [UUID: Plan] = [:]
        /// When each customer's latest door event that moved or confirmed them happened, by
        /// customer and location: an older door event arriving late changes nothing.
        var latestDoorEvent: [DoorKey: Date] = [:]
        var newVisits: [CheckInRow] = []
        /// Stored visits the batch closes (by an update), each as it is closed.
        var closings: [(visit: CheckInRow, at: Date, method: CheckInMethod)] = []
        var failures: [FailedCheckInModel] = []
        var events: [StoredEvent] = []
        var dayPasses: [(UUID, LocalDate)] = []
    }

    /// A row of `device_events` (`DeviceEventModel`'s columns), as the batch inserts it: a plain
    /// value, where a model would build a property wrapper for each column of every event.
    struct StoredEvent: Sendable {
        var id: UUID
        var deviceId: UUID
        var eventId: String
        var at: Date
        var customerId: UUID?
        var credentialKey: String?
        var result: String
        var answer: String
    }

    /// An event id, a credential or a card reading at a device.
    struct DeviceKey: Hashable {
        var device: UUID
        var text: String
    }

    private static func key(_ device: UUID, _ text: String) -> DeviceKey { DeviceKey(device: device, text: text) }

    /// The events among these whose event id their device has had an answer for.
    private func answeredEventIds(_ prepared: [PreparedDeviceEvent]) async throws -> Set<DeviceKey> {
        guard !prepared.isEmpty else { return [] }
        let wanted = prepared.map { SQLGroupExpression([SQLBind($0.deviceId), SQLBind($0.event.eventId)]) }
        let rows = try await (db as! any SQLDatabase).raw("""
            WITH wanted(device_id, event_id) AS (VALUES \(SQLList(wanted)))
            SELECT e.device_id, e.event_id FROM wanted w JOIN device_events e ON e.device_id = w.device_id AND e.event_id = w.event_id
            """).all()
        return Set(try rows.map { Self.key(try $0.decode(column: "device_id", as: UUID.self), try $0.decode(column: "event_id", as: String.self)) })
    }

    /// Door results that say where the customer was: the ones the ordering rule compares with.
    private static let doorStateResults: [DeviceEventAnswer.Result] = DeviceEventAnswer.Result.accepted + [.notCheckedIn]

    /// Taps since when can make one of these a double tap.
    private static func tapsSince(_ prepared: [PreparedDeviceEvent], now: Date) -> Date {
        (prepared.map(\.event.at).min() ?? now) - DoubleTap.window
    }

    /// `knownOpen`: the open visits of the card holders, read with them; `earlier`: the earlier
    /// answers and taps, if read with them (`CardTurnReads`); `since`: `tapsSince`;
    /// `othersThanCards`: whether PINs or member codes need their holders' open visits read here.
    private func load(_ prepared: [PreparedDeviceEvent], _ identified: [Ledger.Identification], knownOpen: [CheckInRow],
                      earlier: [PostgresRandomAccessRow]?, tapsSince since: Date, othersThanCards: Bool) async throws -> State {
        let customers = identified.compactMap { if case .customer(let customer, _) = $0 { customer } else { nil } }
        let customerIds = Array(Set(customers.map(\.id)))

        // Earlier answers to these event ids, and earlier taps of these credentials, each looked
        // up by its device: on PostgreSQL read with the card holders (`CardTurnReads`), else here
        // in two halves of one prepared query; on SQLite the answers here, the taps from the
        // writer's memory (`RecentTaps`).
        var answered: [DeviceKey: String] = [:]
        var lastAccepted: [DeviceKey: Date] = [:]
        func read<Row: ColumnValues>(_ rows: [Row]) throws {
            for row in rows {
                let deviceId = try row.value("device_id", as: UUID.self)
                if try row.value("kind", as: String.self) == "answer" {
                    answered[Self.key(deviceId, try row.value("event_id", as: String.self))] = try row.value("answer", as: String.self)
                } else if let credential = try row.value("credential_key", as: String?.self) {
                    let key = Self.key(deviceId, credential)
                    lastAccepted[key] = max(lastAccepted[key] ?? .distantPast, try row.value("at", as: Date.self))
                }
            }
        }
        if let earlier {
            try read(earlier)
        } else {
            let credentialKeys = identified.map { identity -> String? in if case .customer(_, let key) = identity { key } else { nil } }
            if let postgres = db as? any PostgresDatabase {
                try read(try await postgres.rows(EarlierAnswersAndTaps(devices: prepared.map(\.deviceId), eventIds: prepared.map(\.event.eventId),
                                                                       credentialKeys: credentialKeys, since: since)).map { $0.makeRandomAccess() })
            } else {
                // SQLite: the answers from the table, the taps from the writer's memory.
                let sql = db as! any SQLDatabase
                try read(try await sql.raw("""
                    WITH wanted(device_id, event_id) AS (VALUES \(SQLList(prepared.map { item in
                        SQLGroupExpression([SQLBind(item.deviceId), SQLBind(item.event.eventId)])
                    })))
                    SELECT 'answer' AS kind, \(unsafeRaw: EarlierAnswersAndTaps.columns)
                    FROM wanted w JOIN device_events e ON e.device_id = w.device_id AND e.event_id = w.event_id
                    """).all().map(SQLColumns.init))
                let keys = zip(prepared, credentialKeys).compactMap { item, key in key.map { Self.key(item.deviceId, $0) } }
                lastAccepted.merge(try await ledger.writer.recentTaps.latest(of: keys, since: since, now: now, on: sql), uniquingKeysWith: max)
            }
        }
        var open = Dictionary(knownOpen.map { ($0.customerId, $0) }) { first, _ in first }
        var state = State(answered: answered, open: [:], lastAccepted: lastAccepted, occupancy: [:], plans: [:])
        if othersThanCards, !customerIds.isEmpty {
            for visit in try await CheckInModel.query(on: db).filter(\.$customerId ~~ customerIds).filter(\.$checkedOutAt == nil).all() {
                open[visit.customerId] = CheckInRow(visit)
            }
        }
        // Visits whose cut-off or time limit has passed close first, when they should have.
        let zones = Dictionary(prepared.map { ($0.rules.id, $0.rules.zone) }) { first, _ in first }
        for (customer, visit) in open where (visit.closesAt ?? .distantFuture) <= now {
            var zone = zones[visit.locationId]
            if zone == nil { zone = try await LocationModel.find(visit.locationId, on: db)?.zone }
            guard let zone, let closing = visit.dueClosing(zone: zone, wifiIdleTimeout: ledger.wifiIdleTimeout, now: now) else { continue }
            state.closings.append((visit.closed(at: closing.at, method: closing.method), closing.at, closing.method))
            open[customer] = nil
        }
        state.open = open
        // Written before anything is decided, so that usage and pass balances read afterwards
        // end those visits where they closed, as the admin API's attempts see them.
        try await close(state.closings)
        state.closings = []
        // Counted under each capped location's lock, so that several servers admit in turn.
        let capped = Set(prepared.filter { $0.rules.capacity != nil }.map(\.rules.id))
        try await transaction.lockAdmissions(capped.map(AdmissionLock.occupancy), on: db)
        for location in capped { state.occupancy[location] = try await peopleIn(location) }
        let doorCustomers = zip(prepared, identified).compactMap { item, identity -> UUID? in
            guard item.event.type == .door, case .customer(let customer, _) = identity else { return nil }
            return customer.id
        }
        if !doorCustomers.isEmpty {
            state.latestDoorEvent = try await latestDoorEvents(of: Array(Set(doorCustomers)),
                                                               at: Array(Set(prepared.filter { $0.event.type == .door }.map(\.rules.id))))
        }
        for planId in Set(customers.compactMap(\.planId)) {
            let plan = try await ledger.lookups.plans.value(for: planId) { try await PlanModel.find(planId, on: db) }
            state.plans[planId] = plan
            state.planRules[planId] = plan?.rules
        }
        return state
    }

    /// How many people are in at a location, as stored.
    private func peopleIn(_ location: UUID) async throws -> Int {
        try await CheckInModel.query(on: db).filter(\.$locationId == location).filter(\.$checkedOutAt == nil).count()
    }

    /// Each customer's latest door event at these locations that said where they were, keyed by
    /// `doorKey`; read through the index on device, credential and time (on SQLite it holds door
    /// events alone, and the query says so in its words).
    private func latestDoorEvents(of customers: [UUID], at locations: [UUID]) async throws -> [DoorKey: Date] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT e.customer_id, d.location_id, MAX(e.at) AS at FROM device_events e JOIN devices d ON d.id = e.device_id
            WHERE e.device_id IN (SELECT id FROM devices WHERE kind = \(bind: DeviceKind.door.rawValue) AND location_id IN (\(binds: locations)))
              AND e.credential_key IN (\(binds: customers.map { "door:\($0)" })) AND e.\(unsafeRaw: NarrowTapIndexOnSQLite.doorEvents)
              AND e.result IN (\(binds: Self.doorStateResults.map(\.rawValue)))
            GROUP BY e.customer_id, d.location_id
            """).all()
        var latest: [DoorKey: Date] = [:]
        for row in rows {
            latest[Self.doorKey(try row.decode(column: "customer_id", as: UUID.self), try row.decode(column: "location_id", as: UUID.self))] =
                try row.decode(column: "at", as: Date.self)
        }
        return latest
    }

    /// A customer at a location.
    private struct DoorKey: Hashable {
        var customer: UUID
        var location: UUID
    }

    private static func doorKey(_ customer: UUID, _ location: UUID) -> DoorKey { DoorKey(customer: customer, location: location) }

    // MARK: The rules, event by event

    private func decide(_ item: PreparedDeviceEvent, _ identity: Ledger.Identification, _ state: inout State) async throws -> String {
        let event = item.event
        let deviceId = item.deviceId
        let answerKey = Self.key(deviceId, event.eventId)
        if let answer = state.answered[answerKey] { return answer }

        var credentialKey: String?
        let answer: DeviceEventAnswer
        switch identity {
        case .answeredBefore:
            // Stored answers were read with the batch, and a repeat within the batch follows
            // the event that set its answer; finding neither means another server wrote it
            // since: the batch is decided again.
            throw Conflict()
        case .refused(let reason, let credential):
            let failed = failure(item, customer: nil, credential: credential, reason: reason)
            // An unknown card keeps its number, for an admin to assign it to its holder.
            if event.type == .card, reason == .unknownCredential { failed.cardNumber = event.value }
            // Wrong PINs and member codes count toward the kiosk's guessing limit by when they arrived.
            if event.type == .pin || event.type == .memberCode, reason == .unknownCredential { failed.recordedAt = now }
            state.failures.append(failed)
            answer = DeviceEventAnswer(result: .refused, reason: reason)
        case .customer(let customer, let key):
            credentialKey = key
            answer = try await act(for: customer, item, credentialKey: key, &state)
        }

        let json = answer.json
        state.events.append(StoredEvent(id: .timeOrdered(), deviceId: deviceId, eventId: event.eventId, at: event.at, customerId: answer.customer?.id,
                                        credentialKey: credentialKey, result: answer.result.rawValue, answer: json))
        PendingEvents.deviceEvent(answer.result.rawValue)
        state.answered[answerKey] = json
        if let credentialKey, DeviceEventAnswer.Result.accepted.contains(answer.result) {
            // A late upload does not move the double-tap anchor back.
            let key = Self.key(deviceId, credentialKey)
            state.lastAccepted[key] = max(state.lastAccepted[key] ?? .distantPast, event.at)
            PendingEvents.acceptedTap(RecentTaps.Tap(key: key, at: event.at))
        }
        if event.type == .door, let customer = answer.customer?.id, Self.doorStateResults.contains(answer.result) {
            let key = Self.doorKey(customer, item.rules.id)
            state.latestDoorEvent[key] = max(state.latestDoorEvent[key] ?? .distantPast, event.at)
        }
        return json
    }

    /// Double tap, then the device's direction: check in, check out or neither.
    private func act(for customer: Ledger.Holder, _ item: PreparedDeviceEvent, credentialKey: String,
                     _ state: inout State) async throws -> DeviceEventAnswer {
        let event = item.event
        let customerId = customer.id, locationId = item.rules.id
        let reference = DeviceEventAnswer.Customer(id: customerId, name: customer.name)
        // Doors report late and out of order: what happened before the customer's latest door
        // event here cannot undo it.
        if event.type == .door, let latest = state.latestDoorEvent[Self.doorKey(customerId, locationId)], event.at < latest {
            return DeviceEventAnswer(result: .ignored, customer: reference)
        }
        // A double tap matters where a second tap would flip: at a door only if it toggles (at
        // an entry or exit door a repeat is already_in or not_checked_in anyway).
        if event.type != .door || item.direction == .toggle, DoubleTap.isRepeat(lastAccepted: state.lastAccepted[Self.key(item.deviceId, credentialKey)], at: event.at) {
            return DeviceEventAnswer(result: .ignoredRepeat, customer: reference)
        }
        let open = state.open[customerId]
        let action = DeviceAction(direction: item.direction, isInHere: open?.locationId == locationId)
        // A tap the device stamped a little before now, for somewhere the customer is not in: did
        // a visit of theirs begin or end after it (in this batch, or before)? Taps without a time
        // of their own, as kiosks send them, never ask.
        let changedSince = action == .checkIn && event.stamped && event.at < now && open?.locationId != locationId
            ? try await visitChanged(customerId, after: event.at, state) : false
        switch action {
        case .notCheckedIn:
            return DeviceEventAnswer(result: .notCheckedIn, customer: reference)
        case .checkOut:
            let visit = close(open!, at: max(event.at, open!.checkedInAt), method: event.type.method, &state)
            return DeviceEventAnswer(result: .checkedOut, customer: reference, checkIn: CheckInDTO(visit))
        case .checkIn where CheckInRules.isBackDated(event.at, now: now, changedSince: changedSince):
            return try await admitBackDated(customer, item, reference, &state)
        case .checkIn:
            let plan = customer.planId.flatMap { state.plans[$0] }
            let request = AdmissionRequest(
                at: event.at, location: item.rules, customerActive: customer.active, plan: customer.planId.flatMap { state.planRules[$0] },
                planUsage: try await plan.asyncFlatMap { plan in
                    try await plan.limits.asyncMap {
                        try await Standing(db: db).planUsage(customerId: customerId, plan: plan, zone: item.rules.zone, period: $0.period, at: event.at)
                    }
                },
                passes: [], othersPresent: state.occupancy[locationId] ?? 0,
                payAsYouGo: customer.payAsYouGoRate(plan: plan))
            var checkIn = CheckInAttempt(request: request, open: open.map(OpenVisit.init), passes: nil, now: now)
            while true {
                switch CheckInRules.decide(checkIn) {
                case .needsPasses:
                    checkIn.passes = try await Standing(db: db).passes(customerId: customerId, at: event.at)
                case .alreadyIn:
                    return DeviceEventAnswer(result: .alreadyIn, customer: reference, checkIn: open.map(CheckInDTO.init))
                case .refused(let reason):
                    state.failures.append(failure(item, customer: customerId, credential: nil, reason: reason))
                    return DeviceEventAnswer(result: .refused, reason: reason, customer: reference)
                case .admitted(let effects):
                    if let moveOut = effects.moveOut, let open { close(open, at: moveOut.at, method: .moved, &state) }
                    let visit = Ledger.newVisit(customerId: customerId, method: event.type.method, deviceId: item.deviceId, wifi: nil,
                                                effects, request)
                    state.newVisits.append(visit)
                    state.open[customerId] = visit
                    if item.rules.capacity != nil { state.occupancy[locationId, default: 0] += 1 }
                    if let use = effects.dayPassUse { state.dayPasses.append((use.pass, use.day)) }
                    return DeviceEventAnswer(result: .checkedIn, customer: reference, checkIn: CheckInDTO(visit))
                }
            }
        }
    }

    private func visitChanged(_ customerId: UUID, after at: Date, _ state: State) async throws -> Bool {
        if state.closings.contains(where: { $0.visit.customerId == customerId && $0.at > at }) { return true }
        if state.newVisits.contains(where: { $0.customerId == customerId && ($0.checkedInAt > at || ($0.checkedOutAt ?? .distantPast) > at) }) {
            return true
        }
        return try await Standing(db: db).visitChanged(customerId: customerId, after: at)
    }

    /// A check-in dated in the past (a reader that was offline, a late door webhook) is judged by
    /// the ledger as it stood then, as the admin API judges it: what the batch decided so far is
    /// written first, then the ledger's own admission runs on the same transaction. Rare, so it
    /// may cost a few more queries than a live tap.
    private func admitBackDated(_ holder: Ledger.Holder, _ item: PreparedDeviceEvent, _ reference: DeviceEventAnswer.Customer,
                                _ state: inout State) async throws -> DeviceEventAnswer {
        try await transaction.begin()
        try await write(state)
        state.newVisits = []
        state.closings = []
        state.failures = []
        state.events = []
        state.dayPasses = []
        let event = item.event, customerId = holder.id
        // Read again as the ledger's admission takes it; gone since the batch read it (another
        // server removed it), the batch is decided again and finds the card nobody's.
        guard let customer = try await CustomerModel.find(customerId, on: db) else { throw Conflict() }
        let attempt = Ledger.Attempt(customer: customer, location: item.location, at: event.at, method: event.type.method,
                                     stamped: event.stamped, deviceId: item.deviceId)
        let outcome = try await ledger.admit(attempt, on: db)
        // Where the customer is now and how many are in at the capped locations, after it.
        state.open[customerId] = try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedOutAt == nil).first()
            .map(CheckInRow.init)
        for location in Array(state.occupancy.keys) { state.occupancy[location] = try await peopleIn(location) }
        switch outcome {
        case .checkedIn(let visit, _):
            return DeviceEventAnswer(result: .checkedIn, customer: reference, checkIn: CheckInDTO(visit))
        case .alreadyIn(let visit):
            return DeviceEventAnswer(result: .alreadyIn, customer: reference, checkIn: CheckInDTO(visit))
        case .refused(let reason, _):
            return DeviceEventAnswer(result: .refused, reason: reason, customer: reference)
        }
    }

    /// Closes an open visit; returns it closed.
    @discardableResult
    private func close(_ visit: CheckInRow, at: Date, method: CheckInMethod, _ state: inout State) -> CheckInRow {
        let closed = visit.closed(at: at, method: method)
        state.open[visit.customerId] = nil
        if state.occupancy[visit.locationId] != nil { state.occupancy[visit.locationId]! -= 1 }
        // A visit made in this batch is inserted closed; an older one is closed by an update.
        if let new = state.newVisits.lastIndex(where: { $0.id == visit.id }) {
            state.newVisits[new] = closed
        } else {
            state.closings.append((closed, at, method))
        }
        return closed
    }

    private func failure(_ item: PreparedDeviceEvent, customer: UUID?, credential: String?, reason: ReasonCode) -> FailedCheckInModel {
        FailedCheckInModel(at: item.event.at, locationId: item.rules.id, method: item.event.type.method, deviceId: item.deviceId,
                           customerId: customer, credential: credential, reason: reason)
    }

    // MARK: What the batch writes

    private struct Conflict: DatabaseError, Error {
        var isSyntaxError: Bool { false }
        var isConstraintFailure: Bool { true }
        var isConnectionClosed: Bool { false }
    }

    /// Closes visits that are still open: if another server closed one first, the batch is
    /// decided again, event by event.
    private func close(_ closings: [(visit: CheckInRow, at: Date, method: CheckInMethod)]) async throws {
        guard !closings.isEmpty else { return }
        // Undone with the rest when the check below fails.
        try await transaction.begin()
        var closed = 0
        for chunk in closings.chunks(ofCount: 200) {
            let rows = try await (db as! any SQLDatabase).raw("""
                WITH closing(id, checked_out_at, check_out_method) AS (VALUES \(SQLList(chunk.map { closing in
                    SQLGroupExpression([SQLBind(closing.visit.id), SQLBind(closing.at), SQLBind(closing.method.rawValue)])
                })))
                UPDATE check_ins SET checked_out_at = closing.checked_out_at, check_out_method = closing.check_out_method
                FROM closing WHERE check_ins.id = closing.id AND check_ins.checked_out_at IS NULL RETURNING check_ins.id
                """).all()
            closed += rows.count
        }
        guard closed == closings.count else { throw Conflict() }
        for closing in closings { PendingEvents.checkOut(closing.visit) }
    }

    private func write(_ state: State) async throws {
        try await close(state.closings)
        for visit in state.newVisits {
            PendingEvents.checkIn(visit)
            if visit.checkedOutAt != nil { PendingEvents.checkOut(visit) }
        }
        for failed in state.failures { PendingEvents.failedCheckIn(failed) }
        if let postgres = db as? any PostgresDatabase {
            if !state.dayPasses.isEmpty { try await transaction.begin() }
            if let statement = BatchRowsValues(visits: state.newVisits, failures: state.failures, events: state.events).statement {
                _ = try await postgres.rows(statement)
            }
        } else {
            let sql = db as! any SQLDatabase
            let inserts = state.newVisits.chunks(ofCount: 200).map { BatchRows.sqliteInsert(into: CheckInModel.schema, BatchRows.visits, $0) }
                + state.failures.chunks(ofCount: 200).map { BatchRows.sqliteInsert(into: FailedCheckInModel.schema, BatchRows.failures, $0) }
                + state.events.chunks(ofCount: 200).map { BatchRows.sqliteInsert(into: DeviceEventModel.schema, BatchRows.events, $0) }
            for insert in inserts { try await sql.execute(sql: insert) { _ in } }
        }
        for (passId, day) in state.dayPasses {
            try await PassModel.query(on: db).filter(\.$id == passId).set(\.$usedOn, to: day.description).update()
        }
    }
}
