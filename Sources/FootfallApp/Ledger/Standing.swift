import Fluent
import FootfallCore
import Foundation

/// Reads what a customer has used and holds, in the form the rules take.
struct Standing {
    let db: any Database

    /// Whether one of the customer's visits began or ended after `at` (asked only of an attempt
    /// a device or an admin dated a little before now; see `CheckInRules.isBackDated`). Visits
    /// end at the latest at their day's cut-off, so only those begun in the two days before `at`
    /// are looked at, through the customer's history index.
    func visitChanged(customerId: UUID, after at: Date) async throws -> Bool {
        try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedInAt > at - 2 * 86_400)
            .group(.or) { $0.filter(\.$checkedInAt > at).filter(\.$checkedOutAt > at) }.first() != nil
    }

    /// Where the customer was at `at`: their open visit, or, for an attempt dated in the past, the
    /// visit that covered `at` (closed since or not) and when their next visit after it began.
    func whereabouts(customerId: UUID, at: Date, backDated: Bool) async throws -> (visit: CheckInModel?, nextVisitAt: Date?) {
        guard backDated else {
            return (try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedOutAt == nil).first(), nil)
        }
        let covering = try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedInAt <= at)
            .group(.or) { $0.filter(\.$checkedOutAt == nil).filter(\.$checkedOutAt > at) }
            .sort(\.$checkedInAt, .descending).first()
        let next = try await CheckInModel.query(on: db).filter(\.$customerId == customerId).filter(\.$checkedInAt > at)
            .sort(\.$checkedInAt).first()
        return (covering, next?.checkedInAt)
    }

    /// The admission facts of an attempt as they stood at `at`, passes left out: the rules ask
    /// for them when they matter (`CheckInDecision.needsPasses`).
    func admissionRequest(customer: CustomerModel, location: LocationModel, at: Date, backDated: Bool = false) async throws -> AdmissionRequest {
        let customerId = try customer.requireID()
        let plan = try await customer.planId.asyncFlatMap { try await PlanModel.find($0, on: db) }
        let zone = location.zone
        let usage = try await plan.asyncFlatMap { plan in
            try await plan.limits.asyncMap { try await planUsage(customerId: customerId, plan: plan, zone: zone, period: $0.period, at: at) }
        }
        var others = try CheckInModel.query(on: db).filter(\.$locationId == location.requireID()).filter(\.$customerId != customerId)
        others = backDated
            ? others.filter(\.$checkedInAt <= at).group(.or) { $0.filter(\.$checkedOutAt == nil).filter(\.$checkedOutAt > at) }
            : others.filter(\.$checkedOutAt == nil)
        let othersPresent = try await others.count()
        return AdmissionRequest(
            at: at, location: location.rules, customerActive: customer.active, plan: plan?.rules,
            planUsage: usage, passes: [], othersPresent: othersPresent, payAsYouGo: customer.payAsYouGoRate(plan: plan))
    }

    /// A token's allowance with what its visits had used by `at` (across days and locations);
    /// nil for a token that only logs in.
    func allowance(of token: AccessTokenModel, at: Date) async throws -> TokenAllowance? {
        guard token.hasAllowance == true else { return nil }
        return token.allowance(usedSeconds: try await tokenUsedSeconds([token.requireID()], at: at)[token.requireID()] ?? 0)
    }

    /// Seconds each token's visits had used by `at`.
    func tokenUsedSeconds(_ tokens: [UUID], at: Date) async throws -> [UUID: TimeInterval] {
        guard !tokens.isEmpty else { return [:] }
        var used: [UUID: TimeInterval] = [:]
        for visit in try await CheckInModel.query(on: db).filter(\.$admittedTokenId ~~ tokens).filter(\.$checkedInAt <= at).all() {
            used[visit.admittedTokenId!, default: 0] += max(0, min(visit.checkedOutAt ?? at, at).timeIntervalSince(visit.checkedInAt))
        }
        return used
    }

    /// The plan's usage in the week or month containing `at`, on the given location's calendar.
    func planUsage(customerId: UUID, plan: PlanModel, zone: LocalZone, period: LimitPeriod, at: Date) async throws -> PlanUsage {
        let interval = zone.period(period, containing: at)
        let visits = try await planVisits(plan, in: interval).filter(\.$customerId == customerId).all()
        return usage(of: visits, period: interval, limits: plan.limits, zone: zone, zones: try await locationZones(), at: at)
    }

    /// The visits admitted on the plan that meet the period.
    private func planVisits(_ plan: PlanModel, in interval: DateInterval) throws -> QueryBuilder<CheckInModel> {
        try CheckInModel.query(on: db)
            .filter(\.$admittedPlanId == plan.requireID())
            .filter(\.$checkedInAt < interval.end)
            .group(.or) { $0.filter(\.$checkedOutAt == nil).filter(\.$checkedOutAt > interval.start) }
    }

    /// Each visit's day is on its own location's calendar. As it stood at `at`: visits begun
    /// later do not count, and a visit that ran past `at` counts up to it.
    private func usage(of visits: [CheckInModel], period: DateInterval, limits: PlanLimits?, zone: LocalZone, zones: [UUID: LocalZone],
                       at: Date) -> PlanUsage {
        PlanUsage(visits: visits.filter { $0.checkedInAt <= at }.map {
            Visit(checkedInAt: $0.checkedInAt, checkedOutAt: $0.checkedOutAt.map { min($0, at) },
                  day: (zones[$0.locationId] ?? zone).day(of: $0.checkedInAt))
        }, period: period, limits: limits, now: at)
    }

    /// The customer's passes with what their visits had used by `at` (open visits, and visits
    /// that ran past `at`, up to `at`).
    func passes(customerId: UUID, at: Date) async throws -> [Pass] {
        try await passRecords(customerId: customerId, at: at).map { $0.rules(usedSeconds: $1) }
    }

    func passRecords(customerId: UUID, at: Date) async throws -> [(PassModel, TimeInterval)] {
        let passes = try await PassModel.query(on: db).filter(\.$customerId == customerId).sort(\.$createdAt).all()
        let timePassIds = passes.filter { $0.kind == PassKind.time.rawValue }.compactMap(\.id)
        guard !timePassIds.isEmpty else { return passes.map { ($0, $0.anonymisedSeconds ?? 0) } }
        let visits = try await CheckInModel.query(on: db).filter(\.$admittedPassId ~~ timePassIds).all()
        var used: [UUID: TimeInterval] = [:]
        for visit in visits where visit.checkedInAt <= at {
            used[visit.admittedPassId!, default: 0] += max(0, min(visit.checkedOutAt ?? at, at).timeIntervalSince(visit.checkedInAt))
        }
        return passes.map { ($0, (used[$0.id!] ?? 0) + ($0.anonymisedSeconds ?? 0)) }
    }

    func locationZones() async throws -> [UUID: LocalZone] {
        try await LocationModel.query(on: db).all().reduce(into: [:]) { $0[$1.id!] = $1.zone }
    }

    /// Customers past their plan's limits in the period containing `at`, on `zone`'s calendar:
    /// one query per plan with limits, however many customers are on it.
    func overLimit(zone: LocalZone, at: Date) async throws -> [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)] {
        var over: [(customer: CustomerModel, plan: PlanModel, usage: PlanUsage)] = []
        let zones = try await locationZones()
        for plan in try await PlanModel.query(on: db).all() {
            guard let limits = plan.limits else { continue }
            let interval = zone.period(limits.period, containing: at)
            let visits = try await planVisits(plan, in: interval).all()
            let usages = Dictionary(grouping: visits, by: \.customerId)
                .mapValues { usage(of: $0, period: interval, limits: limits, zone: zone, zones: zones, at: at) }
                .filter(\.value.isOverLimit)
            guard !usages.isEmpty else { continue }
            for customer in try await CustomerModel.query(on: db).filter(\.$id ~~ Array(usages.keys)).filter(\.$planId == plan.requireID()).all() {
                over.append((customer, plan, usages[customer.id!]!))
            }
        }
        return over.sorted { $0.customer.name < $1.customer.name }
    }

    /// Who is in at these locations, earliest first, with each customer's name.
    func whoIsIn(at locations: [UUID]) async throws -> [(visit: CheckInModel, name: String)] {
        let open = try await CheckInModel.query(on: db).filter(\.$checkedOutAt == nil).filter(\.$locationId ~~ locations)
            .sort(\.$checkedInAt).all()
        let names = try await CustomerModel.query(on: db).filter(\.$id ~~ open.map(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        return open.map { ($0, names[$0.customerId] ?? "") }
    }
}
