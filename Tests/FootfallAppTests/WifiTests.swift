@testable import FootfallApp
import Fluent
import FootfallCore
import Foundation
import RADIUS
import SQLKit
import Testing
import TestSupport
import VaporTesting

/// A Wi-Fi NAS as Footfall knows it: a `wifi` device and its shared secret.
struct TestNAS: Sendable {
    let id: String
    let secret: String
    let identifier: String

    /// A login at this NAS, sent by radclient: PAP, or CHAP (radclient answers the challenge).
    func login(_ token: (username: String, password: String), chap: Bool = false, _ extra: [String] = [],
               on server: RADIUSServer) async throws -> RadclientRun {
        try await radclient(["User-Name = \"\(token.username)\"", "\(chap ? "CHAP" : "User")-Password = \"\(token.password)\"",
                             "NAS-Identifier = \"\(identifier)\""] + extra, port: server.authenticationPort, secret: secret)
    }

    /// An Accounting-Request from this NAS about a session of `username`.
    func account(_ lines: [String], session: String, username: String, on server: RADIUSServer) async throws -> RadclientRun {
        try await radclient(lines + ["Acct-Session-Id = \"\(session)\"", "User-Name = \"\(username)\"", "NAS-Identifier = \"\(identifier)\""],
                            port: server.accountingPort, command: "acct", secret: secret)
    }
}

/// What `radclient` (Debian's freeradius-utils) printed, and whether it got an answer.
struct RadclientRun: Sendable {
    let output: String
    var answered: Bool { output.contains("Received ") }
    func received(_ code: String) -> Bool { output.contains("Received \(code)") }

    /// The value of an attribute in the reply, as radclient prints it.
    func attribute(_ name: String) -> String? {
        guard let reply = output.range(of: "Received ") else { return nil }
        for line in output[reply.upperBound...].split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).components(separatedBy: " = ")
            if parts.count == 2, parts[0] == name { return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }
}

extension API {
    func nas(at location: String, identifier: String = "ap-lobby", ip: String? = nil) async throws -> TestNAS {
        var body: [String: any Sendable] = ["name": "Lobby AP", "locationId": location, "kind": "wifi", "nasIdentifier": identifier]
        if let ip { body["nasIp"] = ip }
        let reply = try await post("/api/v1/devices", body)
        #expect(reply.status == .created, "\(reply.body)")
        return TestNAS(id: reply.id, secret: try #require(reply.string("key")), identifier: identifier)
    }

    /// A customer on `planId` (a new unlimited plan by default) with an access token.
    func wifiCustomer(planId: String? = nil, chap: Bool = false) async throws -> (id: String, token: (username: String, password: String)) {
        let plan = if let planId { planId } else { try await plan() }
        let customer = try await customer(planId: plan)
        return (customer, try await accessToken(for: customer, chap: chap))
    }

    func accessToken(for customer: String, chap: Bool = false) async throws -> (username: String, password: String) {
        let body: [String: any Sendable] = chap ? ["chap": true] : [:]
        let reply = try await post("/api/v1/customers/\(customer)/access-tokens", body)
        #expect(reply.status == .created, "\(reply.body)")
        return (try #require(reply.string("username")), try #require(reply.string("password")))
    }

    /// Runs the RADIUS server on free loopback ports for the body.
    func withRADIUS(_ body: (RADIUSServer) async throws -> Void) async throws {
        let server = try await RADIUSServer.start(app, host: "127.0.0.1", ports: .init(authentication: 0, accounting: 0))
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// The stored visit, with what the API does not show (the Wi-Fi session).
    func storedVisit(of customer: String) async throws -> CheckInModel? {
        try await CheckInModel.query(on: app.db).filter(\.$customerId == UUID(uuidString: customer)!).sort(\.$checkedInAt, .descending).first()
    }
}

/// Sends one request with radclient: `attributes` as radclient reads them, one per line. Like a
/// NAS, it sends the same request again after `timeout` seconds without an answer, up to
/// `tries` times in all (the whole suite runs at once on two cores, so answers can be slow; the
/// server answers a repeat from its reply cache). Access-Requests carry a Message-Authenticator
/// (radclient computes it when asked to, as current NASes send it) unless told otherwise.
func radclient(_ attributes: [String], port: Int, command: String = "auth", secret: String, timeout: Int = 5,
               tries: Int = 4, messageAuthenticator: Bool = true) async throws -> RadclientRun {
    var attributes = attributes
    if command == "auth", messageAuthenticator, !attributes.contains(where: { $0.hasPrefix("Message-Authenticator") }) {
        attributes.append("Message-Authenticator = 0x00")
    }
    let output = try await runTool("/usr/bin/env", [
        "ATTRS=" + attributes.joined(separator: "\n"), "SECRET=" + secret, "/bin/sh", "-c",
        "printf '%s\\n' \"$ATTRS\" | /usr/bin/radclient -x -r \(tries) -t \(timeout) 127.0.0.1:\(port) \(command) \"$SECRET\" 2>&1",
    ])
    return RadclientRun(output: output)
}

@Suite("Wi-Fi: the RADIUS server, talked to by radclient", .timeLimit(.minutes(6)))
struct WifiTests {
    @Test func papLoginChecksInWithTheEntitlementLeft() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let plan = try await api.plan(["limits": ["period": "week", "hours": 10] as [String: any Sendable], "overtime": "checkout"])
            let (customer, token) = try await api.wifiCustomer(planId: plan)
            try await api.withRADIUS { server in
                let run = try await nas.login(token, ["Calling-Station-Id = \"AA-BB-CC-00-11-22\"", "Message-Authenticator = 0x00"], on: server)
                #expect(run.received("Access-Accept"), "\(run.output)")
                #expect(run.attribute("Session-Timeout") == "36000")
                #expect(run.attribute("Message-Authenticator") != nil, "replies always carry one")
            }
            let visit = try #require(try await api.get("/api/v1/check-ins?customerId=\(customer)").items.first)
            #expect(visit["method"] as? String == "wifi")
            #expect(visit["deviceId"] as? String == nas.id)
            #expect(visit["checkedOutAt"] is NSNull)
            #expect(try await api.storedVisit(of: customer)?.wifiMac == "aa:bb:cc:00:11:22")
        }
    }

    @Test func anUnlimitedPlanHasNoSessionTimeout() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let run = try await nas.login(token, on: server)
                #expect(run.received("Access-Accept"), "\(run.output)")
                #expect(run.attribute("Session-Timeout") == nil)
            }
        }
    }

    /// A member who tapped a card in and then joins the Wi-Fi gets the visit's time limit as the
    /// session's length, not the location's closing: with 20 hours left this week, the card's
    /// visit (10:00 in Berlin) closes at midnight, while the limit runs to 06:00 the next day.
    @Test func aLoginDuringACardVisitLastsTheVisitsTimeLimitNotTheClosing() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let reader = try await api.device(at: location)
            let plan = try await api.plan(["limits": ["period": "week", "hours": 20] as [String: any Sendable], "overtime": "checkout"])
            let (customer, token) = try await api.wifiCustomer(planId: plan)
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "04A1B2C3"]).status == .created)
            #expect(try await reader.send("card", "04A1B2C3").result == "checked_in")
            let stored = try #require(try await api.storedVisit(of: customer))
            #expect(stored.closesAt == RFC3339.parse("2026-11-26T23:00:00Z"), "the card's visit closes at midnight")
            #expect(stored.timeLimitAt == RFC3339.parse("2026-11-27T05:00:00Z"), "its time limit runs on")
            api.clock.advance(by: 3600)
            try await api.withRADIUS { server in
                let run = try await nas.login(token, on: server)
                #expect(run.received("Access-Accept"), "\(run.output)")
                #expect(run.attribute("Session-Timeout") == "68400", "19 hours to the limit, not 13 to midnight")
            }
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["method"] as? String == "rfid")
        }
    }

    /// With `overtime: allow` the card's visit has no time limit, yet the Wi-Fi session still
    /// gets what the plan's hours have left (as a login that checks in does); once they ran out
    /// and the visit runs on, a login joins it without a limit rather than one second's session.
    @Test func aLoginDuringACardVisitLastsTheEntitlementLeftWhenOvertimeIsAllowed() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let reader = try await api.device(at: location)
            let plan = try await api.plan(["limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "allow"])
            let (customer, token) = try await api.wifiCustomer(planId: plan)
            #expect(try await api.post("/api/v1/customers/\(customer)/cards", ["number": "04A1B2C3"]).status == .created)
            #expect(try await reader.send("card", "04A1B2C3").result == "checked_in")
            #expect(try await api.storedVisit(of: customer)?.timeLimitAt == nil, "overtime is allowed: nothing closes the visit early")
            api.clock.advance(by: 1800)
            try await api.withRADIUS { server in
                let during = try await nas.login(token, ["Calling-Station-Id = \"AA-BB-CC-00-11-22\""], on: server)
                #expect(during.received("Access-Accept"), "\(during.output)")
                #expect(during.attribute("Session-Timeout") == "5400", "an hour and a half of the two hours left")
                api.clock.advance(by: 2 * 3600)
                let after = try await nas.login(token, ["Calling-Station-Id = \"AA-BB-CC-00-11-33\""], on: server)
                #expect(after.received("Access-Accept"), "\(after.output)")
                #expect(after.attribute("Session-Timeout") == nil, "the hours ran out half an hour ago; the visit runs on")
            }
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["method"] as? String == "rfid")
        }
    }

    /// A day pass checked in at the front desk (the admin's path, not a reader's batch): a Wi-Fi
    /// login an hour later lasts until the pass's day ends at the cut-off (midnight in Berlin).
    @Test func aLoginDuringADayPassVisitLastsUntilTheCutOff() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let customer = try await api.customer()
            let token = try await api.accessToken(for: customer)
            _ = try await api.pass(customer, ["kind": "day"])
            let checkIn = try await api.post("/api/v1/check-ins", ["customerId": customer, "locationId": location])
            #expect(checkIn.status == .created, "\(checkIn.body)")
            api.clock.advance(by: 3600)
            try await api.withRADIUS { server in
                let run = try await nas.login(token, on: server)
                #expect(run.received("Access-Accept"), "\(run.output)")
                #expect(run.attribute("Session-Timeout") == "46800", "13 hours to midnight in Berlin")
            }
            let visits = try await api.visits(of: customer)
            #expect(visits.count == 1)
            #expect(visits.first?["method"] as? String == "admin")
        }
    }

    /// An admin corrects three visits' check-ins from 10:00 to 09:00 (Berlin): a time pass's three
    /// hours and a plan's two hours a week then count from 09:00, so Wi-Fi logins at 10:30 get the
    /// 90 and 30 minutes left; a day pass still lasts until midnight, 13.5 hours.
    @Test func aCorrectedCheckInMovesTheEndOfWhatAdmittedIt() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let timed = try await api.customer()
            let daily = try await api.customer()
            let timedToken = try await api.accessToken(for: timed)
            let dailyToken = try await api.accessToken(for: daily)
            _ = try await api.pass(timed, ["kind": "time", "minutes": 180])
            _ = try await api.pass(daily, ["kind": "day"])
            let plan = try await api.plan(["limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "allow"])
            let (planned, plannedToken) = try await api.wifiCustomer(planId: plan)
            let timedVisit = try await api.checkIn(timed, at: location)
            let dailyVisit = try await api.checkIn(daily, at: location)
            let plannedVisit = try await api.checkIn(planned, at: location)
            api.clock.advance(by: 1800)
            for visit in [timedVisit, dailyVisit, plannedVisit] {
                let edited = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-26T08:00:00Z"])
                #expect(edited.status == .ok, "\(edited.body)")
            }
            try await api.withRADIUS { server in
                let timedLogin = try await nas.login(timedToken, on: server)
                #expect(timedLogin.received("Access-Accept"), "\(timedLogin.output)")
                #expect(timedLogin.attribute("Session-Timeout") == "5400", "three hours from 09:00, at 10:30")
                let dailyLogin = try await nas.login(dailyToken, on: server)
                #expect(dailyLogin.received("Access-Accept"), "\(dailyLogin.output)")
                #expect(dailyLogin.attribute("Session-Timeout") == "48600", "13.5 hours to midnight in Berlin")
                let plannedLogin = try await nas.login(plannedToken, on: server)
                #expect(plannedLogin.received("Access-Accept"), "\(plannedLogin.output)")
                #expect(plannedLogin.attribute("Session-Timeout") == "1800", "two hours from 09:00, at 10:30")
            }
            #expect(try await api.visits(of: planned).count == 1)
            #expect(try await api.visits(of: timed).count == 1)
            #expect(try await api.visits(of: daily).count == 1)
        }
    }

    /// A plan's hours that would run past the week's end start afresh with the new week: checked
    /// in on Sunday at 23:00 (Berlin), two hours a week end on Monday at 02:00. Corrected to
    /// 22:00, the two hours end at midnight, within the week: a login at 23:00 gets one hour.
    @Test func aCorrectedCheckInWorksOutThePlansHoursAgainAtTheWeeksEnd() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let plan = try await api.plan(["limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "allow"])
            let (customer, token) = try await api.wifiCustomer(planId: plan)
            api.clock.set(at("2026-11-29T22:00:00Z"))
            let visit = try await api.checkIn(customer, at: location)
            #expect(visit.status == .created, "\(visit.body)")
            #expect(try await api.storedVisit(of: customer)?.entitlementEndsAt == at("2026-11-30T01:00:00Z"))
            let edited = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-29T21:00:00Z"])
            #expect(edited.status == .ok, "\(edited.body)")
            try await api.withRADIUS { server in
                let login = try await nas.login(token, on: server)
                #expect(login.received("Access-Accept"), "\(login.output)")
                #expect(login.attribute("Session-Timeout") == "3600", "the two hours from 22:00 end at midnight")
            }
            #expect(try await api.visits(of: customer).count == 1)
        }
    }

    /// An end stands as admission gave it: when the plan lost its limits during the visit, a
    /// correction of the check-in from 10:00 to 09:00 (Berlin) still moves the two hours' end to
    /// 11:00, and a login at 10:30 gets the half hour left, not an unlimited session.
    @Test func aCorrectedCheckInKeepsAnEndThePlanNoLongerGives() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let plan = try await api.plan(["limits": ["period": "week", "hours": 2] as [String: any Sendable], "overtime": "allow"])
            let (customer, token) = try await api.wifiCustomer(planId: plan)
            let visit = try await api.checkIn(customer, at: location)
            #expect(visit.status == .created, "\(visit.body)")
            #expect(try await api.patch("/api/v1/plans/\(plan)", ["limits": NSNull()]).status == .ok)
            api.clock.advance(by: 1800)
            let edited = try await api.patch("/api/v1/check-ins/\(visit.id)", ["checkedInAt": "2026-11-26T08:00:00Z"])
            #expect(edited.status == .ok, "\(edited.body)")
            try await api.withRADIUS { server in
                let login = try await nas.login(token, on: server)
                #expect(login.received("Access-Accept"), "\(login.output)")
                #expect(login.attribute("Session-Timeout") == "1800", "two hours from 09:00, at 10:30")
            }
        }
    }

    @Test func chapLoginsNeedATokenMadeForCHAP() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (chapCustomer, chapToken) = try await api.wifiCustomer(chap: true)
            let (papCustomer, papToken) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                // radclient turns a clear CHAP-Password into the CHAP answer itself.
                let chap = try await nas.login(chapToken, chap: true, on: server)
                #expect(chap.received("Access-Accept"), "\(chap.output)")
                let wrong = try await nas.login((chapToken.username, "not-it"), chap: true, on: server)
                #expect(wrong.received("Access-Reject"), "\(wrong.output)")
                let hashedOnly = try await nas.login(papToken, chap: true, on: server)
                #expect(hashedOnly.received("Access-Reject"), "\(hashedOnly.output)")
            }
            #expect(try await api.visits(of: chapCustomer).count == 1)
            #expect(try await api.visits(of: papCustomer).isEmpty)
        }
    }

    @Test func aWrongPasswordIsRejectedAndRecorded() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (customer, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let run = try await nas.login((token.username, "guess"), on: server)
                #expect(run.received("Access-Reject"), "\(run.output)")
                #expect(run.attribute("Reply-Message") == "unknown_credential")
            }
            let failed = try await api.failedCheckIns
            #expect(failed.count == 1)
            #expect(failed.first?["method"] as? String == "wifi")
            #expect(failed.first?["reason"] as? String == "unknown_credential")
            #expect(failed.first?["credential"] as? String == token.username)
            #expect(try await api.visits(of: customer).isEmpty)
        }
    }

    @Test func aRefusedCustomerGetsTheReasonInReplyMessage() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let customer = try await api.customer()  // no plan, no pass
            let token = try await api.accessToken(for: customer)
            try await api.withRADIUS { server in
                let run = try await nas.login(token, on: server)
                #expect(run.received("Access-Reject"), "\(run.output)")
                #expect(run.attribute("Reply-Message") == "no_valid_pass")
            }
            let failed = try await api.failedCheckIns
            #expect(failed.first?["reason"] as? String == "no_valid_pass")
            #expect(failed.first?["customerId"] as? String == customer)
        }
    }

    @Test func unknownClientsAndWrongSecretsGetNoAnswer() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (customer, token) = try await api.wifiCustomer()
            let login = ["User-Name = \"\(token.username)\"", "User-Password = \"\(token.password)\"", "Message-Authenticator = 0x00"]
            try await api.withRADIUS { server in
                let stranger = try await radclient(login + ["NAS-Identifier = \"ap-unknown\""], port: server.authenticationPort, secret: nas.secret, timeout: 2, tries: 1)
                #expect(!stranger.answered, "\(stranger.output)")
                let wrongSecret = try await radclient(login + ["NAS-Identifier = \"\(nas.identifier)\""], port: server.authenticationPort, secret: "not-the-secret", timeout: 2, tries: 1)
                #expect(!wrongSecret.answered, "\(wrongSecret.output)")
                let accounting = try await radclient(["Acct-Status-Type = Start", "Acct-Session-Id = \"S1\"", "User-Name = \"\(token.username)\"",
                                                      "NAS-Identifier = \"\(nas.identifier)\""],
                                                     port: server.accountingPort, command: "acct", secret: "not-the-secret", timeout: 2, tries: 1)
                #expect(!accounting.answered, "\(accounting.output)")
                // An Access-Request sent to the accounting port is not answered either.
                let wrongPort = try await radclient(login + ["NAS-Identifier = \"\(nas.identifier)\""], port: server.accountingPort, secret: nas.secret, timeout: 2, tries: 1)
                #expect(!wrongPort.answered, "\(wrongPort.output)")
                // And the right request still works.
                let right = try await radclient(login + ["NAS-Identifier = \"\(nas.identifier)\""], port: server.authenticationPort, secret: nas.secret)
                #expect(right.received("Access-Accept"), "\(right.output)")
            }
            #expect(try await api.visits(of: customer).count == 1)
            #expect(try await api.failedCheckIns.isEmpty)
        }
    }

    @Test func aNASIsFoundByItsAddress() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location, identifier: "ap-by-ip", ip: "127.0.0.1")
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let run = try await radclient(["User-Name = \"\(token.username)\"", "User-Password = \"\(token.password)\""],
                                              port: server.authenticationPort, secret: nas.secret)
                #expect(run.received("Access-Accept"), "\(run.output)")
            }
        }
    }

    @Test func accountingStartInterimStopClosesTheVisit() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (customer, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let acct = { (lines: [String]) in try await nas.account(lines, session: "5F00A1", username: token.username, on: server) }
                #expect(try await nas.login(token, on: server).received("Access-Accept"))
                let start = try await acct(["Acct-Status-Type = Start", "Calling-Station-Id = \"aabb.cc00.1122\""])
                #expect(start.received("Accounting-Response"), "\(start.output)")
                api.clock.advance(by: 600)
                let interim = try await acct(["Acct-Status-Type = Interim-Update", "Acct-Input-Octets = 1000", "Acct-Output-Octets = 5000",
                                              "Acct-Input-Gigawords = 1"])
                #expect(interim.received("Accounting-Response"), "\(interim.output)")
                let afterInterim = try #require(try await api.storedVisit(of: customer))
                #expect(afterInterim.lastActivityAt == at("2026-11-26T09:10:00Z"))
                #expect(afterInterim.wifiOctets == 4_294_973_296)  // 1 gigaword + 1000 in, 5000 out
                #expect(afterInterim.wifiSessionId == "5F00A1")
                #expect(afterInterim.wifiMac == "aa:bb:cc:00:11:22")
                api.clock.advance(by: 3000)
                // Sent 120 s after it happened.
                let stop = try await acct(["Acct-Status-Type = Stop", "Acct-Delay-Time = 120", "Acct-Input-Octets = 2000",
                                           "Acct-Output-Octets = 9000", "Acct-Input-Gigawords = 1"])
                #expect(stop.received("Accounting-Response"), "\(stop.output)")
            }
            let visit = try #require(try await api.visits(of: customer).first)
            #expect(visit["checkedOutAt"] as? String == "2026-11-26T09:58:00Z")
            #expect(visit["checkOutMethod"] as? String == "wifi")
        }
    }

    @Test func anIdleSessionClosesAtItsLastActivity() async throws {
        try await withFootfall(settings: { $0.wifiIdleTimeout = 300 }) { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (customer, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let acct = { (lines: [String]) in try await nas.account(lines, session: "S-idle", username: token.username, on: server) }
                _ = try await nas.login(token, on: server)
                _ = try await acct(["Acct-Status-Type = Start"])
                api.clock.advance(by: 240)  // 09:04: traffic
                _ = try await acct(["Acct-Status-Type = Interim-Update", "Acct-Input-Octets = 100", "Acct-Output-Octets = 100"])
                api.clock.advance(by: 240)  // 09:08: the same counters, no traffic
                _ = try await acct(["Acct-Status-Type = Interim-Update", "Acct-Input-Octets = 100", "Acct-Output-Octets = 100"])
                #expect(try await api.app.ledger.sweep() == 0)
                api.clock.advance(by: 60)  // 09:09: five minutes since the last traffic
                #expect(try await api.app.ledger.sweep() == 1)
            }
            let visit = try #require(try await api.visits(of: customer).first)
            #expect(visit["checkedOutAt"] as? String == "2026-11-26T09:04:00Z")
            #expect(visit["checkOutMethod"] as? String == "wifi_idle")
        }
    }

    @Test func accountingOnClosesTheNASsVisits() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let other = try await api.nas(at: location, identifier: "ap-garden")
            let plan = try await api.plan()
            var customers: [String] = []
            try await api.withRADIUS { server in
                for (index, device) in [nas, nas, other].enumerated() {
                    let (customer, token) = try await api.wifiCustomer(planId: plan)
                    customers.append(customer)
                    #expect(try await device.login(token, on: server).received("Access-Accept"), "guest \(index)")
                }
                api.clock.advance(by: 1800)
                let on = try await radclient(["Acct-Status-Type = Accounting-On", "NAS-Identifier = \"\(nas.identifier)\""],
                                             port: server.accountingPort, command: "acct", secret: nas.secret)
                #expect(on.received("Accounting-Response"), "\(on.output)")
            }
            for customer in customers.prefix(2) {
                let visit = try #require(try await api.visits(of: customer).first)
                #expect(visit["checkedOutAt"] as? String == "2026-11-26T09:30:00Z")
            }
            #expect(try await api.visits(of: customers[2]).first?["checkedOutAt"] is NSNull)
        }
    }

    @Test(arguments: ["AA-BB-CC-00-11-22", "aa:bb:cc:00:11:22", "aabb.cc00.1122", "AABBCC001122", "aa bb cc 00 11 22"])
    func macNotationsAreKeptInOneForm(notation: String) {
        #expect(normalizedMAC(notation) == "aa:bb:cc:00:11:22")
    }

    @Test func somethingElseThanAMACIsKeptAsSent() {
        #expect(normalizedMAC(" host-7 ") == "host-7")
        #expect(normalizedMAC("AA-BB-CC-00-11") == "AA-BB-CC-00-11")
    }

    /// The same datagram twice (a NAS retrying): the same reply, and the request applied once.
    @Test func aRetransmissionIsAnsweredFromTheCache() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let secret = RADIUSSecret(nas.secret)
                let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
                let request = secret.sign(Packet(code: .accessRequest, identifier: 7, authenticator: authenticator, attributes: [
                    Attribute(.userName, string: token.username), Attribute(.nasIdentifier, string: nas.identifier),
                    Attribute(.userPassword, secret.hidePassword(Array("wrong".utf8), requestAuthenticator: authenticator)),
                ]))
                let socket = try UDPTestSocket()
                defer { socket.close() }
                let first = try #require(try await socket.exchange(request, port: server.authenticationPort))
                let second = try #require(try await socket.exchange(request, port: server.authenticationPort))
                #expect(first == second)
                #expect(secret.isValidReply(first, requestAuthenticator: authenticator))
                #expect(try Packet(parsing: first).code == .accessReject)
                // Garbage is dropped (the other tests show the server answering after drops).
                // (From a socket of its own: a slow first answer may have been sent twice, once per try.)
                let prober = try UDPTestSocket()
                defer { prober.close() }
                #expect(try await prober.exchange([1, 2, 3], port: server.authenticationPort, timeout: 0.3, tries: 1) == nil)
                #expect(try await prober.exchange(Array(request.prefix(30)), port: server.authenticationPort, timeout: 0.3, tries: 1) == nil)
            }
            #expect(try await api.failedCheckIns.count == 1)
        }
    }
}

@Suite("Wi-Fi: thousands of random and broken datagrams at a running RADIUS server", .timeLimit(.minutes(6)))
struct RADIUSFuzzTests {
    /// Random bytes, and valid requests broken in every way a datagram can be (flipped bytes,
    /// cut short, wrong lengths, junk after the end), at both ports. The server may answer only
    /// with a reply that is valid for a request it was sent; afterwards it still answers radclient.
    @Test func brokenDatagramsGetNoWrongAnswerAndTheServerKeepsServing() async throws {
        try await withFootfall { api in
            let location = try await api.location()
            let nas = try await api.nas(at: location)
            let (_, token) = try await api.wifiCustomer()
            try await api.withRADIUS { server in
                let secret = RADIUSSecret(nas.secret)
                // Seeded: a failure names the seed, and FOOTFALL_FUZZ_SEED=<seed> sends the same datagrams again.
                var generator = SeededGenerator.fromEnvironment()
                let seed = generator.seed
                func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
                func valid(_ code: Packet.Code, identifier: UInt8) -> [UInt8] {
                    let authenticator = bytes(16)
                    var attributes = [Attribute(.userName, string: token.username), Attribute(.nasIdentifier, string: nas.identifier)]
                    if code == .accessRequest {
                        attributes.append(Attribute(.userPassword, secret.hidePassword(Array(token.password.utf8), requestAuthenticator: authenticator)))
                    } else {
                        attributes += [Attribute(.acctStatusType, integer: AccountingStatus.interimUpdate.rawValue),
                                       Attribute(.acctSessionId, string: "fuzz-session")]
                    }
                    return secret.sign(Packet(code: code, identifier: identifier, authenticator: authenticator, attributes: attributes))
                }
                func broken(_ datagram: [UInt8]) -> [UInt8] {
                    var datagram = datagram
                    switch Int.random(in: 0..<6, using: &generator) {
                    case 0: for _ in 0..<Int.random(in: 1...4, using: &generator) { datagram[Int.random(in: 0..<datagram.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator) }
                    case 1: datagram = Array(datagram.prefix(Int.random(in: 0..<datagram.count, using: &generator)))
                    case 2: let length = UInt16.random(in: 0...5000, using: &generator); datagram[2] = UInt8(length >> 8); datagram[3] = UInt8(length & 0xFF)
                    case 3: datagram[21] = UInt8.random(in: 0...255, using: &generator)  // the first attribute's length
                    case 4: datagram += bytes(Int.random(in: 1...200, using: &generator))
                    default: datagram[0] = UInt8.random(in: 0...255, using: &generator)
                    }
                    return datagram
                }

                let socket = try UDPTestSocket()
                defer { socket.close() }
                var sent: [UInt8: [[UInt8]]] = [:]  // by identifier: the authenticators sent with it
                for round in 0..<3000 {
                    let port = round.isMultiple(of: 2) ? server.authenticationPort : server.accountingPort
                    let datagram: [UInt8] = switch round % 3 {
                    case 0: bytes(Int.random(in: 0...300, using: &generator))
                    default: broken(valid(round.isMultiple(of: 2) ? .accessRequest : .accountingRequest, identifier: UInt8(round % 256)))
                    }
                    if datagram.count >= 20 { sent[datagram[1], default: []].append(Array(datagram[4..<20])) }
                    socket.send(datagram, port: port)
                    if round.isMultiple(of: 100) { try await Task.sleep(for: .milliseconds(5)) }
                }
                // Every datagram read is answered or dropped before the server is asked again: the
                // valid requests among them wait for the writer, which on a loaded machine (the
                // whole suite at once) takes longer than a NAS waits.
                let waitedFor = ContinuousClock.now
                while server.requestsInFlight > 0, ContinuousClock.now - waitedFor < .seconds(90) { try await Task.sleep(for: .milliseconds(50)) }
                #expect(server.requestsInFlight == 0, "seed \(seed): requests still in flight after 90 s")
                let answers = try await socket.receiveAll(quiet: 0.5)
                for answer in answers {
                    #expect(answer.count >= 20, "seed \(seed)")
                    let candidates = answer.count >= 20 ? sent[answer[1]] ?? [] : []
                    #expect(candidates.contains { secret.isValidReply(answer, requestAuthenticator: $0) }, "seed \(seed): an answer that fits no request sent")
                }

                // Still serving, both ports.
                let accept = try await radclient(["User-Name = \"\(token.username)\"", "User-Password = \"\(token.password)\"",
                                                  "NAS-Identifier = \"\(nas.identifier)\""], port: server.authenticationPort, secret: nas.secret)
                #expect(accept.received("Access-Accept"), "seed \(seed): \(accept.output)")
                let accounting = try await radclient(["Acct-Status-Type = Start", "Acct-Session-Id = \"after-fuzz\"", "User-Name = \"\(token.username)\"",
                                                      "NAS-Identifier = \"\(nas.identifier)\""],
                                                     port: server.accountingPort, command: "acct", secret: nas.secret)
                #expect(accounting.received("Accounting-Response"), "\(accounting.output)")
            }
        }
    }
}

/// A plain UDP socket on loopback, to send hand-made datagrams.
final class UDPTestSocket: Sendable {
    private let descriptor: Int32

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError("no UDP socket") }
    }

    /// Sends `datagram` to 127.0.0.1:`port` and waits up to `timeout` seconds for one answer,
    /// sending it again (as a NAS does) up to `tries` times in all.
    func exchange(_ datagram: [UInt8], port: Int, timeout: TimeInterval = 5, tries: Int = 4) async throws -> [UInt8]? {
        for _ in 0..<tries {
            if let answer = try await offThePool({ try self.exchangeBlocking(datagram, port: port, timeout: timeout) }) { return answer }
        }
        return nil
    }

    private func exchangeBlocking(_ datagram: [UInt8], port: Int, timeout: TimeInterval) throws -> [UInt8]? {
        guard send(datagram, port: port) == datagram.count else { throw ServerError("sendto failed") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let received = recv(descriptor, &buffer, buffer.count, 0)
        return received > 0 ? Array(buffer.prefix(received)) : nil
    }

    /// Sends without waiting for an answer; returns what `sendto` returns.
    @discardableResult
    func send(_ datagram: [UInt8], port: Int) -> Int {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Every datagram that arrives until none has for `quiet` seconds.
    func receiveAll(quiet: TimeInterval) async throws -> [[UInt8]] {
        try await offThePool {
            var wait = timeval(tv_sec: Int(quiet), tv_usec: Int((quiet - quiet.rounded(.down)) * 1_000_000))
            setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var received: [[UInt8]] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(self.descriptor, &buffer, buffer.count, 0)
                guard count > 0 else { return received }
                received.append(Array(buffer.prefix(count)))
            }
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
