import Fluent
import FootfallCore
import Vapor

/// A realistic demo: two spaces in different time zones, plans with every kind of limit,
/// fifty customers with PINs, cards and passes, four weeks of history and a few people in now.
/// Loading it twice changes nothing.
public enum DemoData {
    /// The admin token the demo prints. Only made when the demo is loaded; never use the
    /// demo on a database that holds real customers.
    public static let adminToken = "demo-admin-token"
    /// The admin panel login the demo prints.
    public static let adminEmail = "admin@demo.footfall.invalid"
    public static let adminPassword = "footfall-demo"
    static let berlinName = "Demo Berlin Mitte"

    /// Loads the demo unless it is there already; returns the demo admin token.
    @discardableResult
    public static func load(into app: Application) async throws -> String {
        let db = app.db
        if try await LocationModel.query(on: db).filter(\.$name == berlinName).count() == 0 {
            let now = app.settings.clock.now()
            try await db.writeTransaction { db in
                var builder = DemoBuilder(db: db, now: now, pins: app.ledger.pins)
                try await builder.build()
            }
            app.logger.notice("demo data loaded")
        }
        if try await AdminTokenModel.query(on: db).filter(\.$tokenHash == SecretToken.digest(adminToken)).count() == 0 {
            let token = AdminTokenModel()
            token.name = "demo"
            token.tokenHash = SecretToken.digest(adminToken)
            try await token.create(on: db)
        }
        if try await AdminUserModel.query(on: db).filter(\.$email == adminEmail).count() == 0 {
            try await AdminUsers.create(email: adminEmail, password: adminPassword, name: "Demo admin", in: app)
        }
        return adminToken
    }
}

/// Makes the demo records. Its random choices come from a fixed seed, so every demo is alike.
private struct DemoBuilder {
    let db: any Database
    let now: Date
    let pins: PinHasher
    var random = SeededRandom(seed: 2026)

    init(db: any Database, now: Date, pins: PinHasher) {
        self.db = db
        self.now = now
        self.pins = pins
    }

    mutating func build() async throws {
        let berlin = try await location(DemoData.berlinName, "Europe/Berlin", capacity: 40, cutoff: "03:00", hours: [
            "mon": [["07:00", "22:00"]], "tue": [["07:00", "22:00"]], "wed": [["07:00", "22:00"]], "thu": [["07:00", "22:00"]],
            "fri": [["07:00", "22:00"]], "sat": [["09:00", "18:00"]],
        ])
        let brooklyn = try await location("Demo Brooklyn Navy Yard", "America/New_York", capacity: 25, cutoff: "00:00",
                                          hours: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0.rawValue, [["06:00", "24:00"]]) }))
        let locations = [berlin, brooklyn]
        let plans = [
            try await plan("Unlimited", limits: nil),
            try await plan("Part-time: 10 days a month", limits: PlanLimits(period: .month, days: 10)),
            try await plan("Flex: 40 hours a month", limits: PlanLimits(period: .month, hours: 40), overtime: .checkout),
            try await plan("Weekends in Berlin", locations: [berlin.id!], accessHours: ["sat": [["09:00", "18:00"]], "sun": [["09:00", "18:00"]]]),
            try await plan("Evenings: 20 hours a week, billed over", limits: PlanLimits(period: .week, hours: 20, enforce: false)),
        ]

        var customers: [(CustomerModel, PlanModel?, [PassModel], LocationModel)] = []
        for index in 0..<50 {
            let first = Self.firstNames[index % Self.firstNames.count]
            // Each round of first names meets other last names: 50 different people.
            let last = Self.lastNames[(index * 7 + index / Self.firstNames.count * 3) % Self.lastNames.count]
            let customer = CustomerModel()
            customer.name = "\(first) \(last)"
            customer.email = "\(first).\(last).\(index)@demo.footfall.invalid".lowercased()
            customer.active = index % 25 != 24
            customer.memberSecret = SecretToken.make(bytes: 20)
            customer.kind = CustomerKind.member.rawValue
            customer.pinHash = pins.digest(String(1000 + index * 37))
            let plan: PlanModel? = index < 40 ? plans[index % plans.count] : nil
            customer.planId = plan?.id
            try await customer.create(on: db)

            let card = CardModel()
            card.customerId = customer.id!
            let number = CardNumber(String(format: "%08X", random.next(below: 0xFFFF_FFFF)), format: .hex)!
            card.normalized = number.hex
            try await card.create(on: db)
            for key in number.matchKeys { try await CardKeyModel(cardId: card.requireID(), key: key).create(on: db) }

            var passes: [PassModel] = []
            if plan == nil {
                passes.append(try await pass(customer, kind: .day))
                passes.append(try await pass(customer, kind: .time, minutes: 600))
            }
            customers.append((customer, plan, passes, locations[index % 2]))
        }

        try await history(customers)
        try await failures(customers, locations)
        try await inNow(customers.filter { $0.0.active && $0.1 != nil }.prefix(6).map { ($0.0, $0.1!, $0.3) })
    }

    /// Four weeks of closed visits in each space's daytime; customers without a plan came once
    /// on their time pass.
    private mutating func history(_ customers: [(CustomerModel, PlanModel?, [PassModel], LocationModel)]) async throws {
        for (customer, plan, passes, home) in customers where customer.active {
            let days = plan == nil ? [3] : (1...28).filter { _ in random.next(below: 100) < 45 }
            for daysAgo in days {
                let zone = home.zone
                let dayStart = zone.start(of: zone.adding(days: -daysAgo, to: zone.day(of: now)))
                let hoursAfterCutoff = max(1, 8 - home.cutoffMinutes / 60 + random.next(below: 4))
                let arrival = dayStart.addingTimeInterval(Double(hoursAfterCutoff * 60 + random.next(below: 60)) * 60)
                let minutes = plan == nil ? 120 : 60 + random.next(below: 8 * 60)
                let departure = arrival.addingTimeInterval(Double(minutes) * 60)
                guard departure < now else { continue }
                let visit = CheckInModel()
                visit.customerId = customer.id!
                visit.locationId = home.id!
                visit.checkedInAt = arrival
                visit.checkedOutAt = departure
                visit.method = [CheckInMethod.rfid, .kioskPin, .memberCode, .wifi, .admin][random.next(below: 5)].rawValue
                visit.checkOutMethod = [CheckInMethod.rfid, .kioskPin, .wifi, .closingTime][random.next(below: 4)].rawValue
                visit.admittedPlanId = plan?.id
                visit.admittedPassId = plan == nil ? passes.last?.id : nil
                try await visit.create(on: db)
            }
        }
    }

    private mutating func failures(_ customers: [(CustomerModel, PlanModel?, [PassModel], LocationModel)], _ locations: [LocationModel]) async throws {
        let reasons: [ReasonCode] = [.unknownCredential, .customerInactive, .locationClosed, .outsideAccessHours, .planLimitReached,
                                     .noValidPass, .planLocationNotAllowed, .pinLocked, .locationFull]
        for index in 0..<40 {
            let reason = reasons[index % reasons.count]
            let failed = FailedCheckInModel()
            failed.at = now.addingTimeInterval(-Double(random.next(below: 28 * 24)) * 3600 - 600)
            failed.locationId = locations[index % 2].id!
            failed.reason = reason.rawValue
            switch reason {
            case .unknownCredential:
                failed.method = CheckInMethod.rfid.rawValue
                failed.credential = CardNumber.masked(String(format: "%08X", random.next(below: 0xFFFF_FFFF)))
            case .pinLocked:
                failed.method = CheckInMethod.kioskPin.rawValue
            default:
                failed.method = CheckInMethod.rfid.rawValue
                failed.customerId = customers[random.next(below: customers.count)].0.id
            }
            try await failed.create(on: db)
        }
    }

    /// People in right now, checked in since earlier today.
    private func inNow(_ people: [(CustomerModel, PlanModel, LocationModel)]) async throws {
        for (offset, (customer, plan, location)) in people.enumerated() {
            let zone = location.zone
            let dayStart = zone.start(of: zone.day(of: now))
            let visit = CheckInModel()
            visit.customerId = customer.id!
            visit.locationId = location.id!
            visit.checkedInAt = max(dayStart.addingTimeInterval(60), now.addingTimeInterval(-Double(20 + offset * 25) * 60))
            visit.method = CheckInMethod.rfid.rawValue
            visit.admittedPlanId = plan.id
            visit.closesAt = ScheduledClosing(checkedInAt: visit.checkedInAt, zone: zone, timeLimitAt: nil).due
            try await visit.create(on: db)
        }
    }

    private func location(_ name: String, _ zone: String, capacity: Int, cutoff: String, hours: [String: [[String]]]) async throws -> LocationModel {
        let location = LocationModel()
        location.name = name
        location.timeZone = zone
        location.capacity = capacity
        location.cutoffTime = cutoff
        location.openingHours = hours
        try await location.create(on: db)
        return location
    }

    private func plan(_ name: String, locations: [UUID] = [], accessHours: [String: [[String]]]? = nil, limits: PlanLimits? = nil,
                      overtime: Overtime = .allow) async throws -> PlanModel {
        let plan = PlanModel()
        plan.name = name
        plan.locationIds = locations
        plan.accessHours = accessHours
        plan.limitPeriod = limits?.period.rawValue
        plan.limitHours = limits?.hours
        plan.limitDays = limits?.days
        plan.limitEnforce = limits?.enforce ?? true
        plan.overtime = overtime.rawValue
        try await plan.create(on: db)
        return plan
    }

    private func pass(_ customer: CustomerModel, kind: PassKind, minutes: Int? = nil) async throws -> PassModel {
        let pass = PassModel()
        pass.customerId = customer.id!
        pass.kind = kind.rawValue
        pass.minutes = minutes
        pass.locationIds = []
        try await pass.create(on: db)
        return pass
    }

    static let firstNames = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia",
                             "Tim", "Frances", "Guido", "Hedy", "Edsger", "Shafi", "John", "Mary", "Donald", "Annie"]
    static let lastNames = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
                            "Perlman", "Berners-Lee", "Allen", "van Rossum", "Lamarr", "Dijkstra", "Goldwasser", "Backus", "Keller", "Knuth", "Easley"]
}

private extension LocationModel {
    var cutoffMinutes: Int { (LocalTime(cutoffTime) ?? .midnight).minutes }
}

/// A small deterministic generator (SplitMix64), so the demo is the same every time.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
