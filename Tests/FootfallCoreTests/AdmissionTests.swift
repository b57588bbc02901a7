import Foundation
import FootfallCore
import Testing

@Suite("Admission: reason codes in their order")
struct AdmissionTests {
    let location = Location(id: UUID(), zone: LocalZone(timeZone: berlin), capacity: 2, openingHours: weekdaysNineToFive)
    let elsewhere = UUID()
    // Thursday 26 November 2026, 10:00 in Berlin.
    let morning = at("2026-11-26 10:00", berlin)

    @Test func inactiveCustomerIsRefusedFirst() {
        let decision = Admission.decide(request(at: at("2026-11-28 10:00", berlin), location: location, active: false,
                                                plan: Plan(id: UUID()), othersPresent: 5))
        #expect(decision.reason == .customerInactive)
    }

    @Test func fullLocationIsRefusedBeforeOpeningHours() {
        let decision = Admission.decide(request(at: at("2026-11-28 10:00", berlin), location: location,
                                                plan: Plan(id: UUID()), othersPresent: 2))
        #expect(decision.reason == .locationFull)
        #expect(Admission.decide(request(at: morning, location: location, plan: Plan(id: UUID()), othersPresent: 1)).admitted != nil)
    }

    @Test func closedOutsideOpeningHours() {
        for time in ["2026-11-26 08:59", "2026-11-26 17:00", "2026-11-28 10:00"] {
            #expect(Admission.decide(request(at: at(time, berlin), location: location, plan: Plan(id: UUID()))).reason == .locationClosed)
        }
        #expect(Admission.decide(request(at: at("2026-11-26 09:00", berlin), location: location, plan: Plan(id: UUID()))).admitted != nil)
    }

    @Test func planThatDoesNotCoverTheLocation() {
        let plan = Plan(id: UUID(), locationIds: [elsewhere])
        #expect(Admission.decide(request(at: morning, location: location, plan: plan)).reason == .planLocationNotAllowed)
    }

    @Test func outsideTheAccessHoursOfThePlan() {
        let plan = Plan(id: UUID(), accessHours: schedule(["thu": [["12:00", "14:00"]]]))
        #expect(Admission.decide(request(at: morning, location: location, plan: plan)).reason == .outsideAccessHours)
        #expect(Admission.decide(request(at: at("2026-11-26 12:30", berlin), location: location, plan: plan)).admitted?.entitlement == .plan(plan.id))
    }

    @Test func noPlanAndNoPass() {
        #expect(Admission.decide(request(at: morning, location: location)).reason == .noValidPass)
    }

    @Test func hoursLimitReached() {
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10))
        let period = location.zone.period(.month, containing: morning)
        let used = PlanUsage(period: period, limits: plan.limits, usedSeconds: 10 * 3600, usedDays: [])
        #expect(Admission.decide(request(at: morning, location: location, plan: plan, usage: used)).reason == .planLimitReached)
        let almost = PlanUsage(period: period, limits: plan.limits, usedSeconds: 10 * 3600 - 60, usedDays: [])
        #expect(Admission.decide(request(at: morning, location: location, plan: plan, usage: almost)).admitted != nil)
    }

    @Test func daysLimitCountsOnlyNewDays() {
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .week, days: 2))
        let period = location.zone.period(.week, containing: morning)
        let today = LocalDate(year: 2026, month: 11, day: 26)
        let twoOtherDays = PlanUsage(period: period, limits: plan.limits, usedSeconds: 0,
                                     usedDays: [LocalDate(year: 2026, month: 11, day: 23), LocalDate(year: 2026, month: 11, day: 24)])
        #expect(Admission.decide(request(at: morning, location: location, plan: plan, usage: twoOtherDays)).reason == .planLimitReached)
        let includingToday = PlanUsage(period: period, limits: plan.limits, usedSeconds: 0,
                                       usedDays: [LocalDate(year: 2026, month: 11, day: 23), today])
        #expect(Admission.decide(request(at: morning, location: location, plan: plan, usage: includingToday)).admitted != nil)
    }

    @Test func reportOnlyLimitsAdmitOverTheLimit() {
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10, enforce: false), overtime: .checkout)
        let used = PlanUsage(period: location.zone.period(.month, containing: morning), limits: plan.limits,
                             usedSeconds: 12 * 3600, usedDays: [])
        let admitted = Admission.decide(request(at: morning, location: location, plan: plan, usage: used)).admitted
        #expect(admitted?.entitlement == .plan(plan.id))
        #expect(admitted?.closesWhenEntitlementEnds == false)
        #expect(used.overtimeSeconds == 2 * 3600)
    }
}

@Suite("Entitlements: plan, then day passes, then time passes")
struct EntitlementTests {
    let location = Location(id: UUID(), zone: LocalZone(timeZone: berlin, cutoff: LocalTime("03:00")!))
    let other = UUID()
    let now = at("2026-11-26 10:00", berlin)
    let today = LocalDate(year: 2026, month: 11, day: 26)

    @Test func planComesFirst() {
        let plan = Plan(id: UUID())
        let pass = Pass(id: UUID(), kind: .day)
        #expect(Admission.decide(request(at: now, location: location, plan: plan, passes: [pass])).admitted?.entitlement == .plan(plan.id))
    }

    @Test func dayPassUsedTodayIsReusedBeforeANewOne() {
        let fresh = Pass(id: UUID(), kind: .day)
        let usedToday = Pass(id: UUID(), kind: .day, usedOn: today)
        let admitted = Admission.decide(request(at: now, location: location, passes: [fresh, usedToday])).admitted
        #expect(admitted?.entitlement == .pass(usedToday.id))
        #expect(admitted?.dayPassUsedOn == nil)
    }

    @Test func newDayPassIsMarkedUsedOnTheLocationDay() {
        let pass = Pass(id: UUID(), kind: .day)
        // 02:00 on the 27th is still the 26th's day at a location with a 03:00 cut-off.
        let admitted = Admission.decide(request(at: at("2026-11-27 02:00", berlin), location: location, passes: [pass])).admitted
        #expect(admitted?.dayPassUsedOn == today)
        #expect(admitted?.entitlementEndsAt == at("2026-11-27 03:00", berlin))
    }

    @Test func dayPassUsedOnAnotherDayIsSpent() {
        let pass = Pass(id: UUID(), kind: .day, usedOn: LocalDate(year: 2026, month: 11, day: 25))
        #expect(Admission.decide(request(at: now, location: location, passes: [pass])).reason == .noValidPass)
    }

    @Test func passesOutsideTheirValidityOrLocationsDoNotAdmit() {
        let notYet = Pass(id: UUID(), kind: .day, validFrom: now + 60)
        let expired = Pass(id: UUID(), kind: .day, validUntil: now)
        let otherPlace = Pass(id: UUID(), kind: .day, locationIds: [other])
        #expect(Admission.decide(request(at: now, location: location, passes: [notYet, expired, otherPlace])).reason == .noValidPass)
    }

    @Test func timePassWithMinutesLeft() {
        let spent = Pass(id: UUID(), kind: .time, minutes: 60, usedSeconds: 3600)
        let left = Pass(id: UUID(), kind: .time, minutes: 60, usedSeconds: 1800)
        let admitted = Admission.decide(request(at: now, location: location, passes: [spent, left])).admitted
        #expect(admitted?.entitlement == .pass(left.id))
        #expect(admitted?.entitlementEndsAt == now + 1800)
        #expect(spent.remainingSeconds == 0)
        #expect(Pass(id: UUID(), kind: .time, minutes: 60, usedSeconds: 5000).remainingSeconds == 0)
    }

    @Test func fewestLocationsThenEarliestExpiry() {
        let everywhere = Pass(id: UUID(), kind: .time, minutes: 60, validUntil: now + 3600)
        let hereLate = Pass(id: UUID(), kind: .time, minutes: 60, validUntil: now + 7200, locationIds: [location.id])
        let hereSoon = Pass(id: UUID(), kind: .time, minutes: 60, validUntil: now + 5400, locationIds: [location.id])
        let admitted = Admission.decide(request(at: now, location: location, passes: [everywhere, hereLate, hereSoon])).admitted
        #expect(admitted?.entitlement == .pass(hereSoon.id))
    }

    @Test func dayPassBeforeTimePass() {
        let time = Pass(id: UUID(), kind: .time, minutes: 60)
        let day = Pass(id: UUID(), kind: .day)
        #expect(Admission.decide(request(at: now, location: location, passes: [time, day])).admitted?.entitlement == .pass(day.id))
    }

    @Test func passAdmitsWhenThePlanDoesNotCoverTheLocation() {
        let plan = Plan(id: UUID(), locationIds: [other])
        let pass = Pass(id: UUID(), kind: .day)
        #expect(Admission.decide(request(at: now, location: location, plan: plan, passes: [pass])).admitted?.entitlement == .pass(pass.id))
        #expect(Admission.decide(request(at: now, location: location, plan: plan)).reason == .planLocationNotAllowed)
    }

    @Test func passAdmitsOutsideAccessHours() {
        let plan = Plan(id: UUID(), accessHours: schedule(["sat": [["09:00", "17:00"]]]))
        let pass = Pass(id: UUID(), kind: .time, minutes: 30)
        #expect(Admission.decide(request(at: now, location: location, plan: plan, passes: [pass])).admitted?.entitlement == .pass(pass.id))
    }

    @Test func anEnforcedLimitIsNeverBypassedByAPass() {
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 1))
        let usage = PlanUsage(period: location.zone.period(.month, containing: now), limits: plan.limits, usedSeconds: 3600, usedDays: [])
        let pass = Pass(id: UUID(), kind: .day)
        #expect(Admission.decide(request(at: now, location: location, plan: plan, usage: usage, passes: [pass])).reason == .planLimitReached)
    }

    @Test func timePassVisitsCloseWhenThePlanSaysCheckout() {
        let pass = Pass(id: UUID(), kind: .time, minutes: 90)
        let checkoutPlan = Plan(id: UUID(), locationIds: [other], overtime: .checkout)
        #expect(Admission.decide(request(at: now, location: location, plan: checkoutPlan, passes: [pass])).admitted?.closesWhenEntitlementEnds == true)
        #expect(Admission.decide(request(at: now, location: location, passes: [pass])).admitted?.closesWhenEntitlementEnds == false)
    }
}
