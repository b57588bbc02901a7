import Foundation

/// Everything the rules need to decide one check-in attempt by a known customer.
public struct AdmissionRequest: Sendable {
    public var at: Date
    public var location: Location
    public var customerActive: Bool
    public var plan: Plan?
    /// The plan's usage in the period that contains `at`, in the location's zone.
    public var planUsage: PlanUsage?
    public var passes: [Pass]
    /// People in at the location, not counting this customer.
    public var othersPresent: Int
    /// On Wi-Fi: the access token logged in with, when it carries an allowance of its own.
    public var accessToken: TokenAllowance?
    /// The customer's own pay-as-you-go rate, else their plan's.
    public var payAsYouGo: PayAsYouGoRate?

    public init(at: Date, location: Location, customerActive: Bool, plan: Plan?, planUsage: PlanUsage?,
                passes: [Pass], othersPresent: Int, accessToken: TokenAllowance? = nil, payAsYouGo: PayAsYouGoRate? = nil) {
        self.at = at
        self.location = location
        self.customerActive = customerActive
        self.plan = plan
        self.planUsage = planUsage
        self.passes = passes
        self.othersPresent = othersPresent
        self.accessToken = accessToken
        self.payAsYouGo = payAsYouGo
    }
}

/// What admitted a visit.
public enum Entitlement: Hashable, Sendable {
    case plan(UUID)
    case pass(UUID)
    case accessToken(UUID)
    case payAsYouGo
}

/// An admitted attempt: what admits it, and when that runs out.
public struct Admitted: Hashable, Sendable {
    public var entitlement: Entitlement
    /// Set when a day pass is used for the first time: the location day it is now used on.
    public var dayPassUsedOn: LocalDate?
    /// When the entitlement runs out if the visit lasts; nil when only the cut-off ends it.
    public var entitlementEndsAt: Date?
    /// Whether the visit is closed at `entitlementEndsAt` (`overtime: checkout`).
    public var closesWhenEntitlementEnds: Bool
    /// From when the pay-as-you-go rate charges the visit: its start when the rate admits it, or
    /// when the plan's included hours run out; nil when it is never charged.
    public var chargedFrom: Date?

    public init(entitlement: Entitlement, dayPassUsedOn: LocalDate? = nil, entitlementEndsAt: Date?, closesWhenEntitlementEnds: Bool,
                chargedFrom: Date? = nil) {
        self.entitlement = entitlement
        self.dayPassUsedOn = dayPassUsedOn
        self.entitlementEndsAt = entitlementEndsAt
        self.closesWhenEntitlementEnds = closesWhenEntitlementEnds
        self.chargedFrom = chargedFrom
    }
}

public enum AdmissionDecision: Hashable, Sendable {
    case admitted(Admitted)
    case refused(ReasonCode)
}

/// The admission rules of the product specification, in their order.
public enum Admission {
    public static func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        let location = request.location
        guard request.customerActive else { return .refused(.customerInactive) }
        if let capacity = location.capacity, request.othersPresent >= capacity { return .refused(.locationFull) }
        if let hours = location.openingHours, !hours.contains(request.at, in: location.zone) {
            return .refused(.locationClosed)
        }

        var refusal: ReasonCode?
        var planHoursUsedUp = false
        // A plan with a rate and no limits includes no time of its own.
        if let plan = request.plan, !(plan.payAsYouGo != nil && plan.limits == nil) {
            switch planStanding(plan, request) {
            case .success(let admitted): return .admitted(admitted)
            case .failure(let failure) where failure.reason == .planLimitReached:
                // An enforced limit is never bypassed by a pass or a token; a rate bills past it.
                guard request.payAsYouGo != nil else { return .refused(.planLimitReached) }
                planHoursUsedUp = true
            case .failure(let failure): refusal = failure.reason
            }
        }
        if !planHoursUsedUp {
            if let admitted = passAdmission(request) { return .admitted(admitted) }
            if let token = request.accessToken {
                switch tokenStanding(token, request) {
                case .success(let admitted): return .admitted(admitted)
                case .failure(let failure): refusal = failure.reason
                }
            }
        }
        if request.payAsYouGo != nil {
            return .admitted(Admitted(entitlement: .payAsYouGo, entitlementEndsAt: nil, closesWhenEntitlementEnds: false,
                                      chargedFrom: request.at))
        }
        return .refused(refusal ?? .noValidPass)
    }

    private struct Refusal: Error { var reason: ReasonCode }

    private static func planStanding(_ plan: Plan, _ request: AdmissionRequest) -> Result<Admitted, Refusal> {
        let zone = request.location.zone
        guard plan.covers(request.location.id) else { return .failure(.init(reason: .planLocationNotAllowed)) }
        if let hours = plan.accessHours, !hours.contains(request.at, in: zone) {
            return .failure(.init(reason: .outsideAccessHours))
        }
        // With a rate, the limits are the hours included before it charges, enforced or not.
        let billed = request.payAsYouGo != nil
        guard let limits = plan.limits, limits.enforce || billed, let usage = request.planUsage else {
            return .success(Admitted(entitlement: .plan(plan.id), entitlementEndsAt: nil, closesWhenEntitlementEnds: false))
        }
        if usage.isUsedUp(today: zone.day(of: request.at)) { return .failure(.init(reason: .planLimitReached)) }
        var endsAt: Date?
        if let limit = limits.seconds, let remaining = usage.remainingSeconds {
            let candidate = request.at + remaining
            // Past the period's end the hours start afresh.
            endsAt = candidate <= usage.period.end ? candidate : usage.period.end + limit
        }
        if billed {
            // The visit runs on at the rate when the included hours run out: no closing, no timeout.
            return .success(Admitted(entitlement: .plan(plan.id), entitlementEndsAt: nil, closesWhenEntitlementEnds: false,
                                     chargedFrom: endsAt))
        }
        return .success(Admitted(entitlement: .plan(plan.id), entitlementEndsAt: endsAt,
                                 closesWhenEntitlementEnds: plan.overtime == .checkout))
    }

    /// A token's own allowance (Wi-Fi): its locations, its validity, then its minutes. The visit
    /// closes when the minutes or the validity run out, whichever comes first.
    private static func tokenStanding(_ token: TokenAllowance, _ request: AdmissionRequest) -> Result<Admitted, Refusal> {
        guard token.covers(request.location.id) else { return .failure(.init(reason: .planLocationNotAllowed)) }
        guard token.isValid(at: request.at) else { return .failure(.init(reason: .tokenExpired)) }
        if let remaining = token.remainingSeconds, remaining <= 0 { return .failure(.init(reason: .tokenUsedUp)) }
        let ends = [token.remainingSeconds.map { request.at + $0 }, token.validUntil].compactMap { $0 }.min()
        return .success(Admitted(entitlement: .accessToken(token.id), entitlementEndsAt: ends, closesWhenEntitlementEnds: ends != nil))
    }

    /// A day pass already used today, else a new day pass, else a time pass with minutes left;
    /// among several, the one valid at fewest locations, then the one that expires first.
    private static func passAdmission(_ request: AdmissionRequest) -> Admitted? {
        let location = request.location
        let today = location.zone.day(of: request.at)
        let usable = request.passes.filter { $0.covers(location.id) }
        let nextCutoff = location.zone.nextCutoff(after: request.at)

        if let pass = usable.first(where: { $0.kind == .day && $0.usedOn == today }) {
            return Admitted(entitlement: .pass(pass.id), entitlementEndsAt: nextCutoff, closesWhenEntitlementEnds: false)
        }
        let fresh = usable.filter { $0.isValid(at: request.at) }.sorted(by: preferred)
        if let pass = fresh.first(where: { $0.kind == .day && $0.usedOn == nil }) {
            return Admitted(entitlement: .pass(pass.id), dayPassUsedOn: today, entitlementEndsAt: nextCutoff,
                            closesWhenEntitlementEnds: false)
        }
        if let pass = fresh.first(where: { $0.kind == .time && ($0.remainingSeconds ?? 0) > 0 }) {
            return Admitted(entitlement: .pass(pass.id), entitlementEndsAt: request.at + (pass.remainingSeconds ?? 0),
                            closesWhenEntitlementEnds: request.plan?.overtime == .checkout)
        }
        return nil
    }

    private static func preferred(_ a: Pass, _ b: Pass) -> Bool {
        // An empty location list admits everywhere, so it is the least specific.
        let aCount = a.locationIds.isEmpty ? Int.max : a.locationIds.count
        let bCount = b.locationIds.isEmpty ? Int.max : b.locationIds.count
        if aCount != bCount { return aCount < bCount }
        switch (a.validUntil, b.validUntil) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        default: return false
        }
    }
}
