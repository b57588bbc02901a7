import Fluent
import FootfallCore
import Foundation

extension Ledger {
    /// The longest a visit can be: the daily cut-off ends every visit within about a day, and a
    /// corrected visit may span a few days, never more than a week. Reports rely on it to read
    /// only the visits that can reach into their range.
    static let longestVisit: TimeInterval = 7 * 86_400

    /// How far ahead of the server's clock a given time may be, for clocks that run a little fast.
    static let futureTolerance: TimeInterval = 300

    /// Corrects a visit's times and writes who changed what to the audit log.
    func editTimes(_ visitId: UUID, checkedInAt: Date?, checkedOutAt: Date?, actor: String) async throws -> CheckInModel {
        try await writer.perform { db in
                guard let visit = try await CheckInModel.find(visitId, on: db) else { throw LedgerError.noSuchVisit }
                let before = (visit.checkedInAt, visit.checkedOutAt)
                let newIn = checkedInAt ?? visit.checkedInAt
                let newOut = checkedOutAt ?? visit.checkedOutAt
                if let newOut, newOut < newIn {
                    throw LedgerError.impossibleTime(field: checkedOutAt != nil ? "checkedOutAt" : "checkedInAt",
                                                  detail: "the check-out must not be before the check-in.")
                }
                if let newOut, newOut.timeIntervalSince(newIn) > Self.longestVisit {
                    throw LedgerError.impossibleTime(field: checkedOutAt != nil ? "checkedOutAt" : "checkedInAt",
                                                  detail: "a visit may last at most 7 days.")
                }
                if newIn > self.clock.now() + Self.futureTolerance {
                    throw LedgerError.impossibleTime(field: "checkedInAt", detail: "must not be in the future.")
                }
                let moved = newIn.timeIntervalSince(visit.checkedInAt)
                let endsBefore = visit.entitlementEndsAt ?? visit.timeLimitAt
                // The rate charges from the check-in it admitted: a corrected check-in moves that too.
                if let chargedFrom = visit.chargedFrom { visit.chargedFrom = chargedFrom + moved }
                visit.checkedInAt = newIn
                if checkedOutAt != nil, visit.checkedOutAt == nil { visit.checkOutMethod = CheckInMethod.admin.rawValue }
                visit.checkedOutAt = newOut
                let location = try await LocationModel.find(visit.locationId, on: db)
                // What admitted the visit (a plan's hours, a pass, a token's minutes) is worked
                // out again as admission would have at the corrected check-in; the visit is stored
                // first, so that what it used counts from there.
                if moved != 0, endsBefore != nil || visit.chargedFrom != nil, let location {
                    try await visit.update(on: db)
                    let again = try await Self.readmission(of: visit, at: location, on: db)
                    if let endsBefore {
                        // An end the rules no longer give (the plan or token changed since) stays, moved.
                        let ends = if let end = again?.entitlementEndsAt { end } else {
                            try await Self.fallbackEnd(endsBefore, of: visit, movedBy: moved, zone: location.zone, on: db)
                        }
                        if visit.entitlementEndsAt != nil { visit.entitlementEndsAt = ends }
                        if visit.timeLimitAt != nil { visit.timeLimitAt = ends }
                    }
                    if visit.chargedFrom != nil, let chargedFrom = again?.chargedFrom { visit.chargedFrom = chargedFrom }
                }
                if newOut == nil, let location {
                    visit.closesAt = visit.scheduledClosing(zone: location.zone, wifiIdleTimeout: self.wifiIdleTimeout).due
                }
                try await visit.update(on: db)

                let entry = AuditEntryModel()
                entry.at = self.clock.now()
                entry.actor = actor
                entry.action = "check_in.edit"
                entry.subjectId = visitId
                entry.details = [
                    "checkedInAt.before": RFC3339.format(before.0),
                    "checkedInAt.after": RFC3339.format(newIn),
                    "checkedOutAt.before": before.1.map(RFC3339.format) ?? "null",
                    "checkedOutAt.after": newOut.map(RFC3339.format) ?? "null",
                ]
                try await entry.create(on: db)
                self.logger.info("visit times edited", metadata: ["checkIn": .string(visitId.uuidString), "actor": .string(actor)])
                return visit
        }
    }

    /// What admission gives the visit's entitlement at its (stored) check-in: the plan's hours,
    /// the pass or the token's minutes, with what the customer's other visits had used by then.
    /// Only that entitlement counts, not whether the place was open or full, nor whether the
    /// customer is still active. Nil when it would not have admitted the visit then.
    private static func readmission(of visit: CheckInModel, at location: LocationModel, on db: any Database) async throws -> Admitted? {
        let standing = Standing(db: db)
        let at = visit.checkedInAt
        var place = location.rules
        place.openingHours = nil
        var request = AdmissionRequest(at: at, location: place, customerActive: true, plan: nil, planUsage: nil, passes: [], othersPresent: 0)
        let wanted: Entitlement
        if let passId = visit.admittedPassId {
            wanted = .pass(passId)
            request.passes = try await standing.passes(customerId: visit.customerId, at: at).filter { $0.id == passId }
        } else if let tokenId = visit.admittedTokenId {
            guard let token = try await AccessTokenModel.find(tokenId, on: db) else { return nil }
            wanted = .accessToken(tokenId)
            request.accessToken = try await standing.allowance(of: token, at: at)
        } else if let planId = visit.admittedPlanId, let customer = try await CustomerModel.find(visit.customerId, on: db),
                  customer.planId == planId {
            wanted = .plan(planId)
            let standingThen = try await standing.admissionRequest(customer: customer, location: location, at: at, backDated: true)
            (request.plan, request.planUsage, request.payAsYouGo) = (standingThen.plan, standingThen.planUsage, standingThen.payAsYouGo)
        } else {
            return nil
        }
        guard case .admitted(let admitted) = Admission.decide(request) else { return nil }
        // A plan whose hours were used up by then bills from the check-in at its rate.
        let billedPastHours = if case .plan = wanted { admitted.entitlement == .payAsYouGo } else { false }
        return admitted.entitlement == wanted || billedPastHours ? admitted : nil
    }

    /// Where the entitlement ends when admission would not give it at the corrected check-in (a
    /// pass or token not valid then, a plan changed since): a day pass at the cut-off after it;
    /// anything else as long after it as before, though never past a token's validity.
    private static func fallbackEnd(_ ends: Date, of visit: CheckInModel, movedBy moved: TimeInterval, zone: LocalZone,
                                    on db: any Database) async throws -> Date {
        if let passId = visit.admittedPassId, try await PassModel.find(passId, on: db)?.kind == PassKind.day.rawValue {
            return zone.nextCutoff(after: visit.checkedInAt)
        }
        if let tokenId = visit.admittedTokenId, let validUntil = try await AccessTokenModel.find(tokenId, on: db)?.validUntil {
            return min(ends + moved, validUntil)
        }
        return ends + moved
    }
}
