@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import TestSupport
import VaporTesting

/// The same seeded script of attempts — customers on plans with limits (`overtime: checkout`),
/// day and time passes, a capped location, opening hours, moves, check-outs, attempts dated in
/// the past, the clock moving — run once through the admin API and once as card taps at readers,
/// each on a fresh database; and scripts with every attempt made now (a RADIUS login has no time
/// of its own) once through the admin API and once as Wi-Fi logins sent by radclient. The
/// ledgers must be the same, and no customer's visits may overlap. A failure names the seed;
/// `FOOTFALL_FUZZ_SEED=<seed>` replays it.
@Suite("Differential: the admin API and the readers keep the same ledger", .timeLimit(.minutes(6)))
struct AdmissionPathsDifferentialTests {
    enum Door: Sendable { case adminAPI, readers, wifi }

    struct Step: Sendable {
        enum Action: Sendable { case checkIn(location: Int), checkOut }
        var customer: Int
        var action: Action
        /// Minutes before the clock's time that the attempt is dated (0: now).
        var minutesAgo: Int
        /// Minutes the clock moves after the step.
        var advance: Int
    }

    static let customers = 8
    static let start = at("2026-11-23T06:00:00Z")

    static func script(steps: Int, backDated: Bool = true, using generator: inout SeededGenerator) -> [Step] {
        var script: [Step] = []
        var minute = 0
        var used: Set<String> = []  // (customer, reader, minute): no two taps of a card at a reader within the double-tap window
        for _ in 0..<steps {
            let customer = Int.random(in: 0..<customers, using: &generator)
            let action: Step.Action = Int.random(in: 0..<10, using: &generator) < 7 ? .checkIn(location: Int.random(in: 0..<2, using: &generator)) : .checkOut
            var ago = 0
            if case .checkIn(let location) = action {
                if Int.random(in: 0..<5, using: &generator) == 0, backDated { ago = Int.random(in: 5...240, using: &generator) }
                while used.contains("\(customer)/\(location)/\(minute - ago)") { ago += 1 }
                used.insert("\(customer)/\(location)/\(minute - ago)")
            }
            let advance = Int.random(in: 1...90, using: &generator)
            script.append(Step(customer: customer, action: action, minutesAgo: ago, advance: advance))
            minute += advance
        }
        return script
    }

    /// The run's seed: `FOOTFALL_FUZZ_SEED`, else a new one, shared by every script of the run.
    static let seed = SeededGenerator.fromEnvironment().seed

    /// The generator of one script of the run: scripts are cases of their own, run side by side,
    /// each within its own time limit, and replayed alike from the run's seed.
    static func generator(script index: Int, of kind: UInt64) -> SeededGenerator {
        var streams = SeededGenerator(seed: seed ^ kind)
        var seed = streams.next()
        for _ in 0..<index { seed = streams.next() }
        return SeededGenerator(seed: seed)
    }

    @Test(arguments: 0..<4)
    func theSameAttemptsGiveTheSameLedger(script index: Int) async throws {
        var generator = Self.generator(script: index, of: 1)
        try await Self.expectOneLedger(Self.script(steps: 60, using: &generator), through: .adminAPI, and: .readers, "script \(index)")
    }

    @Test(arguments: 0..<2)
    func theSameLoginsGiveTheSameLedgerOverWifi(script index: Int) async throws {
        var generator = Self.generator(script: index, of: 2)
        try await Self.expectOneLedger(Self.script(steps: 40, backDated: false, using: &generator), through: .adminAPI, and: .wifi,
                                       "Wi-Fi script \(index)")
    }

    /// Runs the script through both doors, each on a fresh database: the same ledger, with no
    /// customer's visits overlapping, or the first line where they differ.
    static func expectOneLedger(_ script: [Step], through first: Door, and second: Door, _ name: String) async throws {
        let one = try await run(script, through: first)
        let other = try await run(script, through: second)
        for (line, (a, b)) in zip(one.lines, other.lines).enumerated() where a != b {
            Issue.record("seed \(seed), \(name), first difference at line \(line):\n  \(first): \(a)\n  \(second): \(b)")
            break
        }
        #expect(one.lines.count == other.lines.count, "seed \(seed), \(name)")
        #expect(one.overlaps.isEmpty, "seed \(seed), \(name): overlapping visits through \(first): \(one.overlaps)")
        #expect(other.overlaps.isEmpty, "seed \(seed), \(name): overlapping visits through \(second): \(other.overlaps)")
    }

    /// The case that set the rule: a 2-hour weekly plan with `overtime: checkout`, in at Main at
    /// 03:23 and closed by the time limit at 05:23; then an arrival at the Annex stamped 04:30
    /// comes in late. As the ledger stood at 04:30 the customer was at Main with 67 minutes used:
    /// a move. Main ends at 04:30, the Annex visit has the 53 minutes left, both doors alike.
    @Test(arguments: [Door.adminAPI, .readers])
    func aLateArrivalElsewhereIsAMoveAsTheLedgerStoodThen(door: Door) async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T03:23:00Z"))) { api in
            let main = try await api.location(["name": "Main", "timeZone": "UTC"])
            let annex = try await api.location(["name": "Annex", "timeZone": "UTC"])
            let plan = try await api.plan(["limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "checkout"])
            let customer = try await api.customer(planId: plan)
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "D1FFEE01"]).status == .created)
            let reader = try await api.device(at: annex, direction: "in")
            #expect(try await api.checkIn(customer, at: main).status == .created)
            api.clock.set(at("2026-11-26T06:00:00Z"))
            try await api.app.ledger.sweep()

            switch door {
            case .adminAPI:
                let reply = try await api.checkIn(customer, at: annex, time: "2026-11-26T04:30:00Z")
                #expect(reply.status == .created, "\(reply.body)")
            case .readers:
                let reply = try await reader.send("card", "D1FFEE01", at: "2026-11-26T04:30:00Z")
                #expect(reply.result == "checked_in", "\(reply.body)")
            case .wifi:
                Issue.record("a Wi-Fi login has no time of its own")
            }
            try await api.app.ledger.sweep()
            let visits = try await api.get("/api/v1/check-ins?customerId=\(customer)").items
                .map { "\($0["locationId"] as! String == main ? "Main" : "Annex") \($0["checkedInAt"] as! String)-\($0["checkedOutAt"] as? String ?? "open") \($0["checkOutMethod"] as? String ?? "-")" }
            #expect(visits.sorted() == ["Annex 2026-11-26T04:30:00Z-2026-11-26T05:23:00Z time_limit",
                                        "Main 2026-11-26T03:23:00Z-2026-11-26T04:30:00Z moved"], "\(door)")
            #expect(try await api.get("/api/v1/failed-check-ins").items.isEmpty)
        }
    }

    /// An attempt dated before a visit that followed ends where that visit began.
    @Test(arguments: [Door.adminAPI, .readers])
    func aForgottenVisitEndsWhereTheNextBegan(door: Door) async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T10:00:00Z"))) { api in
            let main = try await api.location(["name": "Main", "timeZone": "UTC"])
            let annex = try await api.location(["name": "Annex", "timeZone": "UTC"])
            let customer = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "D1FFEE02"]).status == .created)
            let reader = try await api.device(at: annex, direction: "in")
            #expect(try await api.checkIn(customer, at: main).status == .created)
            api.clock.advance(by: 3600)
            switch door {
            case .adminAPI: #expect(try await api.checkIn(customer, at: annex, time: "2026-11-26T08:00:00Z").status == .created)
            case .readers: #expect(try await reader.send("card", "D1FFEE02", at: "2026-11-26T08:00:00Z").result == "checked_in")
            case .wifi: Issue.record("a Wi-Fi login has no time of its own")
            }
            let visits = try await api.get("/api/v1/check-ins?customerId=\(customer)").items
                .map { "\($0["locationId"] as! String == main ? "Main" : "Annex") \($0["checkedInAt"] as! String)-\($0["checkedOutAt"] as? String ?? "open") \($0["checkOutMethod"] as? String ?? "-")" }
            #expect(visits.sorted() == ["Annex 2026-11-26T08:00:00Z-2026-11-26T10:00:00Z moved", "Main 2026-11-26T10:00:00Z-open -"], "\(door)")
        }
    }

    /// A tap stamped half a minute ago, after which the customer checked out: close to now, but
    /// judged as the ledger stood then (they were in at Main), so it is a move, not a second
    /// visit beside the first.
    @Test(arguments: [Door.adminAPI, .readers])
    func aTapStampedJustBeforeACheckOutOpensNoVisitBesideIt(door: Door) async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T10:00:00Z"))) { api in
            let main = try await api.location(["name": "Main", "timeZone": "UTC"])
            let annex = try await api.location(["name": "Annex", "timeZone": "UTC"])
            let customer = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "D1FFEE03"]).status == .created)
            let reader = try await api.device(at: annex, direction: "in")
            let visit = try await api.checkIn(customer, at: main)
            api.clock.advance(by: 50)
            #expect(try await api.post("/api/v1/check-ins/\(visit.id)/check-out").status == .ok)
            api.clock.advance(by: 5)
            switch door {
            case .adminAPI: #expect(try await api.checkIn(customer, at: annex, time: "2026-11-26T10:00:20Z").status == .created)
            case .readers: #expect(try await reader.send("card", "D1FFEE03", at: "2026-11-26T10:00:20Z").result == "checked_in")
            case .wifi: Issue.record("a Wi-Fi login has no time of its own")
            }
            let visits = try await api.get("/api/v1/check-ins?customerId=\(customer)").items
                .map { "\($0["locationId"] as! String == main ? "Main" : "Annex") \($0["checkedInAt"] as! String)-\($0["checkedOutAt"] as? String ?? "open") \($0["checkOutMethod"] as? String ?? "-")" }
            #expect(visits.sorted() == ["Annex 2026-11-26T10:00:20Z-open -", "Main 2026-11-26T10:00:00Z-2026-11-26T10:00:20Z moved"], "\(door)")
        }
    }

    /// Stamped just before a visit that began after it: judged as the ledger stood then, the
    /// new visit ends where that one began. And one stamped just before a move to where the
    /// customer is now: they are in, nothing splits.
    @Test(arguments: [Door.adminAPI, .readers])
    func aTapStampedJustBeforeAnotherVisitBeganEndsWhereItBegan(door: Door) async throws {
        try await withFootfall(clock: ManualClock(at("2026-11-26T10:00:00Z"))) { api in
            let main = try await api.location(["name": "Main", "timeZone": "UTC"])
            let annex = try await api.location(["name": "Annex", "timeZone": "UTC"])
            let customer = try await api.customer(planId: try await api.plan())
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "D1FFEE04"]).status == .created)
            // A kiosk at Main, a reader at the Annex, and a door reader at Main that reports late.
            let readers = [try await api.device(at: main, direction: "in"), try await api.device(at: annex, direction: "in"),
                           try await api.device(at: main, direction: "in")]
            func arrive(_ reader: Int, stamped: String) async throws -> String {
                switch door {
                case .adminAPI: return "\(try await api.checkIn(customer, at: [main, annex, main][reader], time: stamped).status.code)"
                default: return try await readers[reader].send("card", "D1FFEE04", at: stamped).result ?? "?"
                }
            }
            api.clock.advance(by: 30)
            _ = try await readers[0].send("card", "D1FFEE04")  // in at Main at 10:00:30, as a kiosk sends it: no time of its own
            api.clock.advance(by: 10)
            #expect(try await arrive(1, stamped: "2026-11-26T10:00:20Z") == (door == .adminAPI ? "201" : "checked_in"))
            api.clock.advance(by: 10)
            #expect(try await arrive(2, stamped: "2026-11-26T10:00:25Z") == (door == .adminAPI ? "200" : "already_in"))
            let visits = try await api.get("/api/v1/check-ins?customerId=\(customer)").items
                .map { "\($0["locationId"] as! String == main ? "Main" : "Annex") \($0["checkedInAt"] as! String)-\($0["checkedOutAt"] as? String ?? "open") \($0["checkOutMethod"] as? String ?? "-")" }
            #expect(visits.sorted() == ["Annex 2026-11-26T10:00:20Z-2026-11-26T10:00:30Z moved", "Main 2026-11-26T10:00:30Z-open -"], "\(door)")
        }
    }

    /// The ledger as text lines that name customers, locations and passes by their place in the
    /// script (ids differ between the two databases), and the visits that overlap.
    struct Ledger: Sendable {
        var lines: [String]
        var overlaps: [String]
    }

    static func run(_ script: [Step], through door: Door) async throws -> Ledger {
        var result = Ledger(lines: [], overlaps: [])
        // Wi-Fi visits are not closed for want of accounting here: the script has no NAS traffic
        // but the logins, and the other doors know no idle time.
        try await withFootfall(clock: ManualClock(start), settings: { $0.wifiIdleTimeout = 30 * 86_400 }) { api in
            // Main: Berlin, room for 3, cut-off 03:00. Annex: open 07:00-22:00 every day.
            let main = try await api.location(["name": "Main", "capacity": 3, "cutoffTime": "03:00"])
            let annex = try await api.location(["name": "Annex", "openingHours": Dictionary(uniqueKeysWithValues:
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { ($0, [["07:00", "22:00"]]) })])
            let locations = [main, annex]
            let plans = [
                try await api.plan(["name": "Unlimited"]),
                try await api.plan(["name": "Two hours", "limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "checkout"]),
                try await api.plan(["name": "Main only", "locationIds": [main]]),
                try await api.plan(["name": "Two days", "limits": ["period": "week", "days": 2] as [String: any Sendable]]),
            ]
            let planOf: [Int?] = [0, 1, 1, 2, 3, nil, nil, 1]
            var customers: [String] = []
            for index in 0..<Self.customers {
                var body: [String: any Sendable] = ["name": "Customer \(index)"]
                if index == 7 { body["active"] = false }
                customers.append(try await api.customer(planId: planOf[index].map { plans[$0] }, body))
                #expect(try await api.post("/api/v1/customers/\(customers[index])/cards", ["number": String(format: "D1FF00%02X", index)]).status == .created)
            }
            var passNames: [String: String] = [:]
            for (customer, body) in [(3, ["kind": "day"]), (5, ["kind": "day"]), (5, ["kind": "day"]), (6, ["kind": "time", "minutes": 90]),
                                     (1, ["kind": "time", "minutes": 60])] as [(Int, [String: any Sendable])] {
                passNames[try await api.pass(customers[customer], body)] = "pass \(passNames.count)"
            }
            var readers: [[TestDevice]] = []
            for location in locations {
                readers.append([try await api.device(at: location, direction: "in"), try await api.device(at: location, direction: "out")])
            }
            var logins: [(username: String, password: String)] = []
            var access: [TestNAS] = []
            if door == .wifi {
                for customer in customers { logins.append(try await api.accessToken(for: customer)) }
                for (index, location) in locations.enumerated() { access.append(try await api.nas(at: location, identifier: "nas-\(index)")) }
            }

            func openVisit(_ customer: String) async throws -> [String: Any]? {
                try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first { $0["checkedOutAt"] is NSNull }
            }
            func play(radius: RADIUSServer?) async throws {
                for step in script {
                    let customer = customers[step.customer]
                    let when = RFC3339.format(api.clock.now() - Double(step.minutesAgo * 60))
                    switch (step.action, door) {
                    case (.checkIn(let location), .adminAPI):
                        _ = try await api.checkIn(customer, at: locations[location], time: when)
                    case (.checkIn(let location), .readers):
                        _ = try await readers[location][0].send("card", String(format: "D1FF00%02X", step.customer), at: when)
                    case (.checkIn(let location), .wifi):
                        let login = try await access[location].login(logins[step.customer], on: radius!)
                        #expect(login.answered, "\(login.output)")
                    case (.checkOut, .adminAPI), (.checkOut, .wifi):
                        if let open = try await openVisit(customer) { _ = try await api.post("/api/v1/check-ins/\(open["id"] as! String)/check-out") }
                    case (.checkOut, .readers):
                        if let open = try await openVisit(customer), let location = locations.firstIndex(of: open["locationId"] as! String) {
                            _ = try await readers[location][1].send("card", String(format: "D1FF00%02X", step.customer))
                        }
                    }
                    api.clock.advance(by: Double(step.advance * 60))
                }
            }
            if door == .wifi {
                try await api.withRADIUS { server in try await play(radius: server) }
            } else {
                try await play(radius: nil)
            }
            // Whatever is due closes; then the ledger is read back.
            api.clock.advance(by: 86_400)
            try await api.app.ledger.sweep()

            let customerName = Dictionary(uniqueKeysWithValues: customers.enumerated().map { ($1, "c\($0)") })
            let locationName = Dictionary(uniqueKeysWithValues: locations.enumerated().map { ($1, "L\($0)") })
            let planName = Dictionary(uniqueKeysWithValues: plans.enumerated().map { ($1, "plan \($0)") })
            func admittedBy(_ visit: [String: Any]) -> String {
                let by = visit["admittedBy"] as? [String: Any] ?? [:]
                if let plan = by["plan"] as? String { return planName[plan] ?? "plan ?" }
                if let pass = by["pass"] as? String { return passNames[pass] ?? "pass ?" }
                return "-"
            }
            var visits: [[String: Any]] = []
            var cursor: String?
            repeat {
                let page = try await api.get("/api/v1/check-ins?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""))
                visits += page.items
                cursor = page.string("nextCursor")
            } while cursor != nil
            let manual: Set<String> = ["admin", "rfid"]
            result.lines += visits.map { visit in
                let out = visit["checkOutMethod"] as? String
                return "visit \(customerName[visit["customerId"] as! String]!) \(locationName[visit["locationId"] as! String]!) "
                    + "\(visit["checkedInAt"] as! String)-\(visit["checkedOutAt"] as? String ?? "open") "
                    + "\(out.map { manual.contains($0) ? "manual" : $0 } ?? "-") \(admittedBy(visit))"
            }.sorted()
            var failed: [[String: Any]] = []
            cursor = nil
            repeat {
                let page = try await api.get("/api/v1/failed-check-ins?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""))
                failed += page.items
                cursor = page.string("nextCursor")
            } while cursor != nil
            result.lines += failed.map { failure in
                "refused \(customerName[failure["customerId"] as? String ?? ""] ?? "?") \(locationName[failure["locationId"] as! String]!) "
                    + "\(failure["at"] as! String) \(failure["reason"] as! String)"
            }.sorted()
            for (index, customer) in customers.enumerated() {
                for pass in try await api.get("/api/v1/customers/\(customer)/passes").items {
                    result.lines.append("c\(index) \(passNames[pass["id"] as! String]!) left \(pass["remainingMinutes"] ?? "-") used on \(pass["usedOn"] ?? "-")")
                }
                let usage = try await api.get("/api/v1/customers/\(customer)/usage?at=\(RFC3339.format(start + 3 * 86_400))")
                result.lines.append("c\(index) usage \(usage["usedMinutes"] ?? "-") minutes, \(usage["usedDays"] ?? "-") days")
                let own = visits.filter { $0["customerId"] as? String == customer }
                    .map { (RFC3339.parse($0["checkedInAt"] as! String)!, ($0["checkedOutAt"] as? String).flatMap(RFC3339.parse) ?? .distantFuture) }
                    .sorted { $0.0 < $1.0 }
                for (earlier, later) in zip(own, own.dropFirst()) where later.0 < earlier.1 {
                    result.overlaps.append("c\(index): \(earlier) and \(later)")
                }
            }
        }
        return result
    }
}
