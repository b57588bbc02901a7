import Foundation
import FootfallCore
import Testing

@Suite("Access tokens as entitlements, and device limits")
struct TokenAllowanceTests {
    let location = Location(id: UUID(), zone: LocalZone(timeZone: berlin))
    let elsewhere = UUID()
    let morning = at("2026-11-26 10:00", berlin)

    func decide(_ token: TokenAllowance, at instant: Date? = nil, plan: Plan? = nil, usage: PlanUsage? = nil, passes: [Pass] = [])
        -> AdmissionDecision {
        var request = request(at: instant ?? morning, location: location, plan: plan, usage: usage, passes: passes)
        request.accessToken = token
        return Admission.decide(request)
    }

    @Test func aTokenWithMinutesAdmitsUntilTheyAreUsed() {
        let token = TokenAllowance(id: UUID(), minutes: 60, usedSeconds: 45 * 60)
        let admitted = decide(token).admitted
        #expect(admitted?.entitlement == .accessToken(token.id))
        #expect(admitted?.entitlementEndsAt == morning + 15 * 60)
        #expect(admitted?.closesWhenEntitlementEnds == true)
        // Minutes used on other days and at other locations count the same.
        #expect(decide(TokenAllowance(id: UUID(), minutes: 60, usedSeconds: 3600)).reason == .tokenUsedUp)
        #expect(decide(TokenAllowance(id: UUID(), minutes: 60, usedSeconds: 3700)).reason == .tokenUsedUp)
    }

    @Test func validityHasAnInclusiveStartAndAnExclusiveEnd() {
        let from = at("2026-11-26 09:00", berlin), until = at("2026-11-26 18:00", berlin)
        let token = TokenAllowance(id: UUID(), minutes: 60, validFrom: from, validUntil: until)
        #expect(decide(token, at: from - 1).reason == .tokenExpired)
        #expect(decide(token, at: from).admitted?.entitlementEndsAt == from + 60 * 60)
        // Minutes beyond the validity end at it.
        #expect(decide(token, at: until - 60).admitted?.entitlementEndsAt == until)
        #expect(decide(token, at: until).reason == .tokenExpired)
        // Without minutes, only the validity ends the visit; without either, nothing does.
        #expect(decide(TokenAllowance(id: UUID(), validUntil: until)).admitted?.entitlementEndsAt == until)
        let open = decide(TokenAllowance(id: UUID(), locationIds: [location.id])).admitted
        #expect(open?.entitlementEndsAt == nil && open?.closesWhenEntitlementEnds == false)
    }

    @Test func aTokenForOtherLocationsIsRefusedAsAPlanWouldBe() {
        #expect(decide(TokenAllowance(id: UUID(), minutes: 60, locationIds: [elsewhere])).reason == .planLocationNotAllowed)
    }

    @Test func planAndPassesComeFirstAndAnEnforcedLimitStands() {
        let token = TokenAllowance(id: UUID(), minutes: 60)
        let plan = Plan(id: UUID())
        #expect(decide(token, plan: plan).admitted?.entitlement == .plan(plan.id))
        let pass = Pass(id: UUID(), kind: .day)
        #expect(decide(token, plan: Plan(id: UUID(), locationIds: [elsewhere]), passes: [pass]).admitted?.entitlement == .pass(pass.id))
        // The plan refuses for its location: the token admits.
        #expect(decide(token, plan: Plan(id: UUID(), locationIds: [elsewhere])).admitted?.entitlement == .accessToken(token.id))
        // The token's own reason is the one given when it cannot admit either.
        #expect(decide(TokenAllowance(id: UUID(), minutes: 1, usedSeconds: 60), plan: Plan(id: UUID(), locationIds: [elsewhere])).reason
                == .tokenUsedUp)
        let limited = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10))
        let used = PlanUsage(period: location.zone.period(.month, containing: morning), limits: limited.limits, usedSeconds: 36_000, usedDays: [])
        #expect(decide(token, plan: limited, usage: used).reason == .planLimitReached)
    }

    @Test func aSecondDeviceWaitsForTheFirstToLeave() {
        let limit = DeviceLimit(maximum: 2)
        #expect(limit.admits("aa", online: []))
        #expect(limit.admits("bb", online: ["aa"]))
        #expect(!limit.admits("cc", online: ["aa", "bb"]))
        // A device already online may log in again.
        #expect(limit.admits("aa", online: ["aa", "bb"]))
        // One leaving frees its slot.
        #expect(limit.admits("cc", online: ["bb"]))
        #expect(!DeviceLimit(maximum: 1).admits("bb", online: ["aa"]))
    }
}

@Suite("Pay-as-you-go: the last entitlement, and its daily charges")
struct PayAsYouGoTests {
    let zone = LocalZone(timeZone: berlin)
    var location: Location { Location(id: UUID(), zone: zone) }
    let morning = at("2026-11-26 10:00", berlin)
    let rate = PayAsYouGoRate(price: 250, increment: 15, dailyMinimum: 300, dailyMaximum: 2000)

    @Test func minutesRoundUpToWholeIncrements() {
        let plain = PayAsYouGoRate(price: 250)
        #expect(plain.charge(seconds: 1) == DayCharge(minutes: 1, amount: 250))
        #expect(plain.charge(seconds: 60) == DayCharge(minutes: 1, amount: 250))
        #expect(plain.charge(seconds: 15 * 60) == DayCharge(minutes: 15, amount: 250))
        #expect(plain.charge(seconds: 15 * 60 + 0.000_000_1) == DayCharge(minutes: 15, amount: 250))
        #expect(plain.charge(seconds: 15 * 60 + 1) == DayCharge(minutes: 16, amount: 500))
        #expect(plain.charge(seconds: 16 * 60) == DayCharge(minutes: 16, amount: 500))
        #expect(plain.charge(seconds: 0) == DayCharge(minutes: 0, amount: 0))
        #expect(PayAsYouGoRate(price: 100, increment: 60).charge(seconds: 61 * 60) == DayCharge(minutes: 61, amount: 200))
    }

    @Test func theDayIsHeldBetweenItsMinimumAndMaximum() {
        #expect(rate.charge(seconds: 10 * 60) == DayCharge(minutes: 10, amount: 300))
        #expect(rate.charge(seconds: 45 * 60) == DayCharge(minutes: 45, amount: 750))
        #expect(rate.charge(seconds: 10 * 3600) == DayCharge(minutes: 600, amount: 2000))
    }

    @Test func aVisitAcrossTheCutoffIsChargedOnBothDays() {
        let night = LocalZone(timeZone: berlin, cutoff: LocalTime("04:00")!)
        let visit = ChargedVisit(id: UUID(), chargedFrom: at("2026-11-26 03:00", berlin), checkedOutAt: at("2026-11-26 05:10", berlin))
        let days = visit.days(zone: night, now: morning)
        #expect(days == [LocalDate(year: 2026, month: 11, day: 25), LocalDate(year: 2026, month: 11, day: 26)])
        let plain = PayAsYouGoRate(price: 100)
        #expect(PayAsYouGo.charge([visit], on: days[0], zone: night, rate: plain, now: morning) == DayCharge(minutes: 60, amount: 400))
        #expect(PayAsYouGo.charge([visit], on: days[1], zone: night, rate: plain, now: morning) == DayCharge(minutes: 70, amount: 500))
    }

    @Test func theDaySumsItsVisitsBeforeRounding() {
        // Two visits of 10 minutes: 20 minutes, two increments (not one each, rounded apart).
        let visits = [ChargedVisit(id: UUID(), chargedFrom: at("2026-11-26 09:00", berlin), checkedOutAt: at("2026-11-26 09:10", berlin)),
                      ChargedVisit(id: UUID(), chargedFrom: at("2026-11-26 14:00", berlin), checkedOutAt: at("2026-11-26 14:10", berlin))]
        let day = zone.day(of: morning)
        #expect(PayAsYouGo.charge(visits, on: day, zone: zone, rate: PayAsYouGoRate(price: 100), now: morning) == DayCharge(minutes: 20, amount: 200))
    }

    @Test func pendingUntilTheCutoffHasPassedAndNothingIsOpen() {
        let day = zone.day(of: morning)
        let closed = ChargedVisit(id: UUID(), chargedFrom: morning, checkedOutAt: morning + 3600)
        let open = ChargedVisit(id: UUID(), chargedFrom: morning, checkedOutAt: nil)
        let midnight = at("2026-11-27 00:00", berlin)
        #expect(!PayAsYouGo.isFinal([closed], on: day, zone: zone, now: midnight - 1))
        #expect(PayAsYouGo.isFinal([closed], on: day, zone: zone, now: midnight))
        #expect(!PayAsYouGo.isFinal([closed, open], on: day, zone: zone, now: midnight + 60))
        // An open visit counts up to now while the day is pending.
        #expect(PayAsYouGo.charge([open], on: day, zone: zone, rate: PayAsYouGoRate(price: 100), now: morning + 20 * 60).minutes == 20)
        // A visit still inside a plan's included hours is on no day yet; one that ended before the rate took over, on none.
        #expect(ChargedVisit(id: UUID(), chargedFrom: morning + 3600, checkedOutAt: nil).days(zone: zone, now: morning).isEmpty)
        #expect(ChargedVisit(id: UUID(), chargedFrom: morning, checkedOutAt: morning).days(zone: zone, now: morning).isEmpty)
        #expect(ChargedVisit(id: UUID(), chargedFrom: morning + 60, checkedOutAt: morning).days(zone: zone, now: morning).isEmpty)
    }

    @Test func theRateAdmitsWhenNothingElseDoes() {
        let location = self.location
        func decide(_ plan: Plan?, rate: PayAsYouGoRate?, usage: PlanUsage? = nil, passes: [Pass] = []) -> AdmissionDecision {
            var request = request(at: morning, location: location, plan: plan, usage: usage, passes: passes)
            request.payAsYouGo = rate
            return Admission.decide(request)
        }
        let elsewhere = Plan(id: UUID(), locationIds: [UUID()])
        #expect(decide(elsewhere, rate: nil).reason == .planLocationNotAllowed)
        let admitted = decide(elsewhere, rate: rate).admitted
        #expect(admitted?.entitlement == .payAsYouGo && admitted?.chargedFrom == morning && admitted?.entitlementEndsAt == nil)
        #expect(decide(nil, rate: rate).admitted?.entitlement == .payAsYouGo)
        // Passes come first.
        let pass = Pass(id: UUID(), kind: .day)
        #expect(decide(elsewhere, rate: rate, passes: [pass]).admitted?.entitlement == .pass(pass.id))
        // Closed, full and inactive still refuse.
        var closed = request(at: at("2026-11-28 10:00", berlin), location: Location(id: UUID(), zone: zone, openingHours: weekdaysNineToFive))
        closed.payAsYouGo = rate
        #expect(Admission.decide(closed).reason == .locationClosed)
        var inactive = request(at: morning, location: location, active: false)
        inactive.payAsYouGo = rate
        #expect(Admission.decide(inactive).reason == .customerInactive)
    }

    @Test func aPlanWithARateAndNoLimitsIncludesNoTime() {
        var request = request(at: morning, location: location, plan: Plan(id: UUID(), payAsYouGo: rate))
        request.payAsYouGo = rate
        #expect(Admission.decide(request).admitted?.entitlement == .payAsYouGo)
    }

    @Test func aPlanWithARateIncludesItsHoursAndBillsPastThem() {
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10), overtime: .checkout, payAsYouGo: rate)
        let period = zone.period(.month, containing: morning)
        var request = request(at: morning, location: location, plan: plan,
                              usage: PlanUsage(period: period, limits: plan.limits, usedSeconds: 9 * 3600, usedDays: []))
        request.payAsYouGo = rate
        let included = Admission.decide(request).admitted
        #expect(included?.entitlement == .plan(plan.id))
        // The last included hour ends at 11:00; from there the rate charges, and nothing closes the visit.
        #expect(included?.chargedFrom == morning + 3600)
        #expect(included?.closesWhenEntitlementEnds == false && included?.entitlementEndsAt == nil)
        request.planUsage = PlanUsage(period: period, limits: plan.limits, usedSeconds: 10 * 3600, usedDays: [])
        #expect(Admission.decide(request).admitted?.entitlement == .payAsYouGo)
        // Without a rate the same limit refuses.
        request.payAsYouGo = nil
        #expect(Admission.decide(request).reason == .planLimitReached)
    }
}
