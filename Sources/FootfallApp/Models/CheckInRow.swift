import FootfallCore
import Foundation

/// What the rules about a visit, and answers about it, read of the visit: the same for a
/// `CheckInModel` and a `CheckInRow`. Each reads only the columns it needs, so a model filled
/// from a few columns (as the Wi-Fi activity batch fills one) works as before.
protocol CheckInColumns {
    var visitId: UUID { get }
    var customerId: UUID { get }
    var locationId: UUID { get }
    var checkedInAt: Date { get }
    var checkedOutAt: Date? { get }
    var method: String { get }
    var checkOutMethod: String? { get }
    var deviceId: UUID? { get }
    var admittedPlanId: UUID? { get }
    var admittedPassId: UUID? { get }
    var admittedTokenId: UUID? { get }
    var chargedFrom: Date? { get }
    var chargeRateJSON: String? { get }
    var timeLimitAt: Date? { get }
    var closesAt: Date? { get }
    var lastActivityAt: Date? { get }
}

extension CheckInColumns {
    /// The rate the visit is charged at, kept as JSON text (the same on SQLite and PostgreSQL).
    var chargeRate: PayAsYouGoRate? { chargeRateJSON.flatMap { try? JSONDecoder().decode(PayAsYouGoRate.self, from: Data($0.utf8)) } }

    /// What admitted the visit, as `admittedBy` says it.
    var admittedBy: AdmittedBy {
        if let plan = admittedPlanId { return .plan(plan) }
        if let pass = admittedPassId { return .pass(pass) }
        if let token = admittedTokenId { return .accessToken(token) }
        if chargedFrom != nil { return .payAsYouGo }
        return .nothing
    }

    /// When this visit closes by itself: cut-off, time limit or, on Wi-Fi, idleness.
    func scheduledClosing(zone: LocalZone, wifiIdleTimeout: TimeInterval) -> ScheduledClosing {
        let idle = method == CheckInMethod.wifi.rawValue
            ? lastActivityAt.map { ScheduledClosing.Idle(lastActivity: $0, timeout: wifiIdleTimeout) } : nil
        return ScheduledClosing(checkedInAt: checkedInAt, zone: zone, timeLimitAt: timeLimitAt, idle: idle)
    }

    /// The closing to apply now, if this open visit's is due: the one place every path (the
    /// sweeper, an attempt by the same customer, a device batch) decides that.
    func dueClosing(zone: LocalZone, wifiIdleTimeout: TimeInterval, now: Date) -> ScheduledClosing? {
        guard checkedOutAt == nil, (closesAt ?? .distantFuture) <= now else { return nil }
        let closing = scheduledClosing(zone: zone, wifiIdleTimeout: wifiIdleTimeout)
        return closing.due <= now ? closing : nil
    }
}

/// A visit (a row of `check_ins`) as a plain value: how device-event batches read, decide and
/// write visits. A `CheckInModel` allocates a property wrapper for each of its twenty columns
/// and looks up the wrapper's generic type on every access; on a run of card taps that was
/// about a fifth of the writer's time.
struct CheckInRow: CheckInColumns, Sendable {
    var id: UUID
    var customerId: UUID
    var locationId: UUID
    var checkedInAt: Date
    var checkedOutAt: Date?
    var method: String
    var checkOutMethod: String?
    var deviceId: UUID?
    var admittedPlanId: UUID?
    var admittedPassId: UUID?
    var admittedTokenId: UUID?
    var chargedFrom: Date?
    var chargeRateJSON: String?
    var timeLimitAt: Date?
    var entitlementEndsAt: Date?
    var closesAt: Date?
    var wifiSessionId: String?
    var wifiMac: String?
    var lastActivityAt: Date?

    var visitId: UUID { id }

    /// The visit closed at `at`.
    func closed(at: Date, method: CheckInMethod) -> CheckInRow {
        var closed = self
        closed.checkedOutAt = at
        closed.checkOutMethod = method.rawValue
        return closed
    }
}

extension CheckInRow {
    /// A stored visit's row, from its whole model.
    init(_ model: CheckInModel) {
        self.init(id: model.id!, customerId: model.customerId, locationId: model.locationId, checkedInAt: model.checkedInAt,
                  checkedOutAt: model.checkedOutAt, method: model.method, checkOutMethod: model.checkOutMethod, deviceId: model.deviceId,
                  admittedPlanId: model.admittedPlanId, admittedPassId: model.admittedPassId, admittedTokenId: model.admittedTokenId,
                  chargedFrom: model.chargedFrom, chargeRateJSON: model.chargeRateJSON, timeLimitAt: model.timeLimitAt,
                  entitlementEndsAt: model.entitlementEndsAt, closesAt: model.closesAt, wifiSessionId: model.wifiSessionId, wifiMac: model.wifiMac,
                  lastActivityAt: model.lastActivityAt)
    }
}

extension CheckInModel: CheckInColumns {
    var visitId: UUID { id! }

    /// A new visit's model, to store through Fluent (`charge_settled` and `wifi_octets` start
    /// empty).
    convenience init(_ row: CheckInRow) {
        self.init()
        id = row.id
        customerId = row.customerId
        locationId = row.locationId
        checkedInAt = row.checkedInAt
        checkedOutAt = row.checkedOutAt
        method = row.method
        checkOutMethod = row.checkOutMethod
        deviceId = row.deviceId
        admittedPlanId = row.admittedPlanId
        admittedPassId = row.admittedPassId
        admittedTokenId = row.admittedTokenId
        chargedFrom = row.chargedFrom
        chargeRateJSON = row.chargeRateJSON
        timeLimitAt = row.timeLimitAt
        entitlementEndsAt = row.entitlementEndsAt
        closesAt = row.closesAt
        wifiSessionId = row.wifiSessionId
        wifiMac = row.wifiMac
        lastActivityAt = row.lastActivityAt
    }
}
