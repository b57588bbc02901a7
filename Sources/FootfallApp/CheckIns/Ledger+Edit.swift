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
                // The rate charges from the check-in it admitted, or from as long after it as
                // the plan's included hours lasted: a corrected check-in moves that too.
                let moved = newIn.timeIntervalSince(visit.checkedInAt)
                if let chargedFrom = visit.chargedFrom { visit.chargedFrom = chargedFrom + moved }
                // And what admitted it ends as long after the corrected check-in as it did after the first.
                if moved != 0, let ends = visit.entitlementEndsAt ?? visit.timeLimitAt {
                    let movedEnds = try await Self.entitlementEnd(ends, of: visit, movedBy: moved, to: newIn, on: db)
                    if visit.entitlementEndsAt != nil { visit.entitlementEndsAt = movedEnds }
                    if visit.timeLimitAt != nil { visit.timeLimitAt = movedEnds }
                }
                visit.checkedInAt = newIn
                if checkedOutAt != nil, visit.checkedOutAt == nil { visit.checkOutMethod = CheckInMethod.admin.rawValue }
                visit.checkedOutAt = newOut
                if newOut == nil, let location = try await LocationModel.find(visit.locationId, on: db) {
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

    /// Where a visit's entitlement ends once its check-in moves by `moved` to `newIn`: a day pass
    /// at the cut-off after the new check-in; hours or minutes as long after it as before, though
    /// never past a token's validity (and an end that validity set stays).
    private static func entitlementEnd(_ ends: Date, of visit: CheckInModel, movedBy moved: TimeInterval, to newIn: Date,
                                       on db: any Database) async throws -> Date {
        if let passId = visit.admittedPassId, try await PassModel.find(passId, on: db)?.kind == PassKind.day.rawValue,
           let location = try await LocationModel.find(visit.locationId, on: db) {
            return location.zone.nextCutoff(after: newIn)
        }
        if let tokenId = visit.admittedTokenId, let validUntil = try await AccessTokenModel.find(tokenId, on: db)?.validUntil {
            return ends == validUntil ? ends : min(ends + moved, validUntil)
        }
        return ends + moved
    }
}
