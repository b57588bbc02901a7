import Fluent
import Foundation

/// A final pay-as-you-go charge: one customer's minutes at one location on one location day,
/// stored once the day's cut-off has passed and none of its visits is open, and never changed
/// again. Pending charges are not stored: they are worked out from the visits when asked for.
final class ChargeModel: Model, @unchecked Sendable {
    static let schema = "charges"

    @ID(key: .id) var id: UUID?
    /// Nil once retention has anonymised the customer's old visits.
    @OptionalField(key: "customer_id") var customerId: UUID?
    @Field(key: "location_id") var locationId: UUID
    /// The location day, `YYYY-MM-DD`.
    @Field(key: "day") var day: String
    /// When the day began (its cut-off), for ranges.
    @Field(key: "day_start") var dayStart: Date
    @Field(key: "minutes") var minutes: Int
    /// Minor units of `currency`.
    @Field(key: "amount") var amount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "check_in_ids") var checkInIds: [UUID]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _customerId, _locationId, _day, _dayStart, _minutes, _amount, _currency, _checkInIds, _createdAt
        ]
    }
}
