import Foundation

/// A customer's visit as a check-in attempt sees it: the one open when the attempt came.
public struct OpenVisit: Hashable, Sendable {
    public var id: UUID
    public var locationId: UUID
    public var checkedInAt: Date

    public init(id: UUID, locationId: UUID, checkedInAt: Date) {
        self.id = id
        self.locationId = locationId
        self.checkedInAt = checkedInAt
    }
}

/// One check-in attempt by a known customer and what the ledger knows of them when it comes:
/// the admission facts and where they are. `passes` may be left unread (nil): most attempts are
/// decided by the plan alone, and the rules say when they need the passes.
public struct CheckInAttempt: Sendable {
    public var request: AdmissionRequest
    public var open: OpenVisit?
    /// The customer's passes with what they have used; nil when not read yet.
    public var passes: [Pass]?

    public init(request: AdmissionRequest, open: OpenVisit?, passes: [Pass]?) {
        self.request = request
        self.open = open
        self.passes = passes
    }
}

/// A visit an admitted attempt opens.
public struct NewVisit: Hashable, Sendable {
    public var locationId: UUID
    public var checkedInAt: Date
    public var entitlement: Entitlement
    /// When the visit closes because its entitlement runs out (`overtime: checkout`); nil when
    /// only the cut-off ends it.
    public var timeLimitAt: Date?

    public init(locationId: UUID, checkedInAt: Date, entitlement: Entitlement, timeLimitAt: Date?) {
        self.locationId = locationId
        self.checkedInAt = checkedInAt
        self.entitlement = entitlement
        self.timeLimitAt = timeLimitAt
    }
}

/// The customer's open visit elsewhere, closed when they check in here (method `moved`).
public struct MoveOut: Hashable, Sendable {
    public var visit: OpenVisit
    /// The attempt's time, never before the visit began.
    public var at: Date

    public init(visit: OpenVisit, at: Date) {
        self.visit = visit
        self.at = at
    }
}

/// What an admitted attempt changes, for every way in to apply the same way.
public struct CheckInEffects: Hashable, Sendable {
    public var admitted: Admitted
    public var moveOut: MoveOut?
    public var visit: NewVisit

    /// A day pass used for the first time, and the location day it is now used on.
    public var dayPassUse: (pass: UUID, day: LocalDate)? {
        if case .pass(let id) = admitted.entitlement, let day = admitted.dayPassUsedOn { (id, day) } else { nil }
    }
}

public enum CheckInDecision: Hashable, Sendable {
    /// Read the customer's passes into the attempt and decide again.
    case needsPasses
    /// In here already: this open visit stands, nothing changes.
    case alreadyIn(OpenVisit)
    case refused(ReasonCode)
    case admitted(CheckInEffects)
}

/// The one decision every way of checking in asks for: the admin API, RADIUS, kiosks, readers
/// and doors gather an attempt, ask here, and apply what comes back.
public enum CheckInRules {
    public static func decide(_ attempt: CheckInAttempt) -> CheckInDecision {
        var request = attempt.request
        if let open = attempt.open, open.locationId == request.location.id { return .alreadyIn(open) }
        request.passes = attempt.passes ?? []
        let decision = Admission.decide(request)
        if attempt.passes == nil, case .refused(let reason) = decision, passesCanChange(reason) { return .needsPasses }
        switch decision {
        case .refused(let reason):
            return .refused(reason)
        case .admitted(let admitted):
            let visit = NewVisit(locationId: request.location.id, checkedInAt: request.at, entitlement: admitted.entitlement,
                                 timeLimitAt: admitted.closesWhenEntitlementEnds ? admitted.entitlementEndsAt : nil)
            let moveOut = attempt.open.map { MoveOut(visit: $0, at: max(request.at, $0.checkedInAt)) }
            return .admitted(CheckInEffects(admitted: admitted, moveOut: moveOut, visit: visit))
        }
    }

    /// Whether passes could turn this refusal into an admission: not for an inactive customer, a
    /// full or a closed location, which refuse before any entitlement is looked at, nor for an
    /// enforced plan limit, which no pass bypasses.
    static func passesCanChange(_ reason: ReasonCode) -> Bool {
        ![.customerInactive, .locationFull, .locationClosed, .planLimitReached].contains(reason)
    }
}
