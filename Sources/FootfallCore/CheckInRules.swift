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

/// One check-in attempt by a known customer and what the ledger knows of them as it stood at the
/// attempt's time: the admission facts and where they were. `passes` may be left unread (nil):
/// most attempts are decided by the plan alone, and the rules say when they need the passes.
public struct CheckInAttempt: Sendable {
    public var request: AdmissionRequest
    /// The visit the customer was in at the attempt's time (for an attempt dated in the past,
    /// one that has been closed since counts: the move revises its end).
    public var open: OpenVisit?
    /// The customer's passes with what they had used by the attempt's time; nil when not read yet.
    public var passes: [Pass]?
    /// When the customer's next visit after the attempt's time began (an attempt dated in the
    /// past, before visits that followed): the new visit ends there at the latest.
    public var nextVisitAt: Date?
    /// The server's time: a visit that would have closed by now is made closed.
    public var now: Date
    /// Judged as the ledger stood at its time (see `CheckInRules.isBackDated`).
    public var backDated: Bool

    public init(request: AdmissionRequest, open: OpenVisit?, passes: [Pass]?, nextVisitAt: Date? = nil, now: Date? = nil,
                backDated: Bool? = nil) {
        self.request = request
        self.open = open
        self.passes = passes
        self.nextVisitAt = nextVisitAt
        self.now = now ?? request.at
        self.backDated = backDated ?? CheckInRules.isBackDated(request.at, now: now ?? request.at)
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
    /// For an attempt dated in the past whose visit has ended by now: where the customer's next
    /// visit began (`moved`), or its cut-off or time limit, whichever came first.
    public var closed: ScheduledClosing?

    public init(locationId: UUID, checkedInAt: Date, entitlement: Entitlement, timeLimitAt: Date?, closed: ScheduledClosing? = nil) {
        self.locationId = locationId
        self.checkedInAt = checkedInAt
        self.entitlement = entitlement
        self.timeLimitAt = timeLimitAt
        self.closed = closed
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
///
/// An attempt is judged by the ledger as it stood at its time (`at`), which for a reader that
/// was offline, a late door webhook or a forgotten visit entered by an admin is in the past: the
/// visit the customer was in then is the one a move closes, at `at` (revising a closing applied
/// since); usage counts what was used by `at`; and the new visit ends where the customer's next
/// visit began. Nobody ever has two visits that overlap.
public enum CheckInRules {
    /// An attempt dated more than this before the server's time is looked at as the ledger stood
    /// then; closer to now (a reader's clock a little behind, the network) it is taken as live —
    /// unless one of the customer's visits began or ended after it (`changedSince`; asked only
    /// when the customer is not in at this location now, where a live attempt is simply already
    /// in): that attempt too is judged as the ledger stood at its time, so that it never opens a
    /// visit beside another.
    public static let backDatedAfter: TimeInterval = 60

    public static func isBackDated(_ at: Date, now: Date, changedSince: Bool = false) -> Bool {
        at < now - backDatedAfter || (at < now && changedSince)
    }

    public static func decide(_ attempt: CheckInAttempt) -> CheckInDecision {
        var request = attempt.request
        if let open = attempt.open, open.locationId == request.location.id { return .alreadyIn(open) }
        request.passes = attempt.passes ?? []
        let decision = Admission.decide(request)
        if attempt.passes == nil, passesCanChange(decision) { return .needsPasses }
        switch decision {
        case .refused(let reason):
            return .refused(reason)
        case .admitted(let admitted):
            let timeLimit = admitted.closesWhenEntitlementEnds ? admitted.entitlementEndsAt : nil
            let scheduled = ScheduledClosing(checkedInAt: request.at, zone: request.location.zone, timeLimitAt: timeLimit)
            // It ends where the next visit began, or by its own closing if that came first and
            // is past by now: never open beside a later visit.
            let end: ScheduledClosing? = if let next = attempt.nextVisitAt, next < scheduled.at {
                ScheduledClosing(at: next, method: .moved)
            } else if scheduled.at <= attempt.now, attempt.nextVisitAt != nil || attempt.backDated {
                scheduled
            } else { nil }
            let visit = NewVisit(locationId: request.location.id, checkedInAt: request.at, entitlement: admitted.entitlement,
                                 timeLimitAt: timeLimit, closed: end)
            let moveOut = attempt.open.map { MoveOut(visit: $0, at: max(request.at, $0.checkedInAt)) }
            return .admitted(CheckInEffects(admitted: admitted, moveOut: moveOut, visit: visit))
        }
    }

    /// Whether passes could change this decision, made without them: a refusal, unless the
    /// customer is inactive or the location full or closed, which refuse before any entitlement is
    /// looked at, or an enforced plan limit, which no pass bypasses; and an admission by a token or
    /// a rate, which come after passes.
    static func passesCanChange(_ decision: AdmissionDecision) -> Bool {
        switch decision {
        case .refused(let reason): ![.customerInactive, .locationFull, .locationClosed, .planLimitReached].contains(reason)
        case .admitted(let admitted):
            switch admitted.entitlement {
            case .accessToken, .payAsYouGo: true
            case .plan, .pass: false
            }
        }
    }
}
