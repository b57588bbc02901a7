import Fluent
import FootfallCore
import Foundation

/// A visit. At most one per customer is open (`checked_out_at` null): a partial unique index
/// in the database guarantees it, whichever server instance writes.
final class CheckInModel: Model, @unchecked Sendable {
    static let schema = "check_ins"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "location_id") var locationId: UUID
    @Field(key: "checked_in_at") var checkedInAt: Date
    @OptionalField(key: "checked_out_at") var checkedOutAt: Date?
    @Field(key: "method") var method: String
    @OptionalField(key: "check_out_method") var checkOutMethod: String?
    @OptionalField(key: "device_id") var deviceId: UUID?
    @OptionalField(key: "admitted_plan_id") var admittedPlanId: UUID?
    @OptionalField(key: "admitted_pass_id") var admittedPassId: UUID?
    @OptionalField(key: "admitted_token_id") var admittedTokenId: UUID?
    /// From when the pay-as-you-go rate charges the visit (see `Admitted.chargedFrom`), and the
    /// rate, as it was when the visit began.
    @OptionalField(key: "charged_from") var chargedFrom: Date?
    @OptionalField(key: "charge_rate") var chargeRateJSON: String?
    /// True once every day the visit is charged on has its final charge.
    @OptionalField(key: "charge_settled") var chargeSettled: Bool?
    /// When the visit's entitlement closes it (`overtime: checkout`); nil when only the cut-off does.
    @OptionalField(key: "time_limit_at") var timeLimitAt: Date?
    /// When what admitted the visit runs out (a plan's hours, a pass, a token's allowance), as
    /// it stood at admission; nil when it does not. A Wi-Fi login joining the visit is given
    /// what is left of it as its Session-Timeout.
    @OptionalField(key: "entitlement_ends_at") var entitlementEndsAt: Date?
    /// When the sweeper closes the visit if nobody does before: the earlier of the next cut-off
    /// and `time_limit_at`. Kept so that finding what is due is one indexed query.
    @OptionalField(key: "closes_at") var closesAt: Date?
    // A Wi-Fi visit's session: the NAS's Acct-Session-Id, the client's MAC (`aa:bb:cc:dd:ee:ff`),
    // when traffic was last seen, and the session's octets so far (in and out, with gigawords).
    @OptionalField(key: "wifi_session_id") var wifiSessionId: String?
    @OptionalField(key: "wifi_mac") var wifiMac: String?
    @OptionalField(key: "last_activity_at") var lastActivityAt: Date?
    @OptionalField(key: "wifi_octets") var wifiOctets: Int64?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _customerId, _locationId, _checkedInAt, _checkedOutAt, _method, _checkOutMethod, _deviceId, _admittedPlanId,
            _admittedPassId, _admittedTokenId, _chargedFrom, _chargeRateJSON, _chargeSettled, _timeLimitAt, _entitlementEndsAt, _closesAt,
            _wifiSessionId, _wifiMac, _lastActivityAt, _wifiOctets
        ]
    }
}

extension OpenVisit {
    init(_ visit: some CheckInColumns) {
        self.init(id: visit.visitId, locationId: visit.locationId, checkedInAt: visit.checkedInAt)
    }
}

/// A refused attempt, kept with its reason.
final class FailedCheckInModel: Model, @unchecked Sendable {
    static let schema = "failed_check_ins"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @Field(key: "location_id") var locationId: UUID
    @Field(key: "method") var method: String
    @OptionalField(key: "device_id") var deviceId: UUID?
    @OptionalField(key: "customer_id") var customerId: UUID?
    /// The credential as presented: cards masked to their last four characters, PINs never.
    @OptionalField(key: "credential") var credential: String?
    /// An unknown card's whole number as the reader sent it, for assigning it; never shown.
    @OptionalField(key: "card_number") var cardNumber: String?
    @Field(key: "reason") var reason: String
    /// When the server stored a wrong PIN or member code, on its own clock: what guessing limits
    /// count (`at` is the time the device claims).
    @OptionalField(key: "recorded_at") var recordedAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _at, _locationId, _method, _deviceId, _customerId, _credential, _cardNumber, _reason, _recordedAt
        ]
    }

    init(at: Date, locationId: UUID, method: CheckInMethod, deviceId: UUID?, customerId: UUID?, credential: String?,
         reason: ReasonCode) {
        self.id = .timeOrdered()
        self.at = at
        self.locationId = locationId
        self.method = method.rawValue
        self.deviceId = deviceId
        self.customerId = customerId
        self.credential = credential
        self.reason = reason.rawValue
    }
}
