import Foundation
import FootfallCore
import Testing

@Suite("Check-in rules: the one decision every way in asks for")
struct CheckInRulesTests {
    let location = Location(id: UUID(), zone: LocalZone(timeZone: berlin), capacity: 2, openingHours: weekdaysNineToFive)
    let morning = at("2026-11-26 10:00", berlin)

    private func attempt(plan: Plan? = nil, active: Bool = true, othersPresent: Int = 0, open: OpenVisit? = nil,
                         passes: [Pass]? = nil, at instant: Date? = nil) -> CheckInAttempt {
        CheckInAttempt(request: request(at: instant ?? morning, location: location, active: active, plan: plan, othersPresent: othersPresent),
                       open: open, passes: passes)
    }

    @Test func aPlanThatAdmitsNeedsNoPasses() {
        let plan = Plan(id: UUID())
        guard case .admitted(let effects) = CheckInRules.decide(attempt(plan: plan)) else { Issue.record("not admitted"); return }
        #expect(effects.visit == NewVisit(locationId: location.id, checkedInAt: morning, entitlement: .plan(plan.id), timeLimitAt: nil))
        #expect(effects.moveOut == nil)
        #expect(effects.dayPassUse == nil)
    }

    @Test func passesAreAskedForOnlyWhenTheyCanChangeTheAnswer() {
        let elsewhere = Plan(id: UUID(), locationIds: [UUID()])
        #expect(CheckInRules.decide(attempt(plan: elsewhere)) == .needsPasses)
        #expect(CheckInRules.decide(attempt()) == .needsPasses)
        // Refusals that come before any entitlement, and an enforced limit, stand without passes.
        #expect(CheckInRules.decide(attempt(plan: elsewhere, active: false)) == .refused(.customerInactive))
        #expect(CheckInRules.decide(attempt(plan: elsewhere, othersPresent: 2)) == .refused(.locationFull))
        #expect(CheckInRules.decide(attempt(plan: elsewhere, at: at("2026-11-26 20:00", berlin))) == .refused(.locationClosed))
        // With the passes read, the same attempt is decided.
        let day = Pass(id: UUID(), kind: .day)
        guard case .admitted(let effects) = CheckInRules.decide(attempt(plan: elsewhere, passes: [day])) else { Issue.record("not admitted"); return }
        #expect(effects.visit.entitlement == .pass(day.id))
        #expect(effects.dayPassUse?.pass == day.id)
        #expect(effects.dayPassUse?.day == location.zone.day(of: morning))
        #expect(CheckInRules.decide(attempt(plan: elsewhere, passes: [])) == .refused(.planLocationNotAllowed))
    }

    @Test func inHereIsAlreadyInAndElsewhereIsAMove() {
        let here = OpenVisit(id: UUID(), locationId: location.id, checkedInAt: morning - 3600)
        #expect(CheckInRules.decide(attempt(plan: Plan(id: UUID()), open: here)) == .alreadyIn(here))
        let there = OpenVisit(id: UUID(), locationId: UUID(), checkedInAt: morning - 3600)
        guard case .admitted(let effects) = CheckInRules.decide(attempt(plan: Plan(id: UUID()), open: there)) else { Issue.record("not admitted"); return }
        #expect(effects.moveOut == MoveOut(visit: there, at: morning))
        // A move never closes a visit before it began.
        let later = OpenVisit(id: UUID(), locationId: UUID(), checkedInAt: morning + 60)
        guard case .admitted(let early) = CheckInRules.decide(attempt(plan: Plan(id: UUID()), open: later)) else { Issue.record("not admitted"); return }
        #expect(early.moveOut?.at == morning + 60)
        // A refused move leaves the customer where they were.
        #expect(CheckInRules.decide(attempt(plan: Plan(id: UUID()), othersPresent: 2, open: there)) == .refused(.locationFull))
    }

    @Test func aTimeLimitClosesTheVisitOnlyWithOvertimeCheckout() {
        let limits = PlanLimits(period: .week, hours: 2)
        let usage = PlanUsage(visits: [], period: location.zone.period(.week, containing: morning), limits: limits, now: morning)
        for (overtime, limit) in [(Overtime.checkout, morning + 7200), (.allow, nil)] {
            let plan = Plan(id: UUID(), limits: limits, overtime: overtime)
            let checkIn = CheckInAttempt(request: request(at: morning, location: location, plan: plan, usage: usage), open: nil, passes: nil)
            guard case .admitted(let effects) = CheckInRules.decide(checkIn) else { Issue.record("not admitted"); continue }
            #expect(effects.visit.timeLimitAt == limit, "\(overtime)")
        }
    }
}
