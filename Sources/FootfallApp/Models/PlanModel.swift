import Fluent
import Foundation
import FootfallCore

final class PlanModel: Model, @unchecked Sendable {
    static let schema = "plans"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "location_ids") var locationIds: [UUID]
    @OptionalField(key: "access_hours") var accessHours: [String: [[String]]]?
    @OptionalField(key: "limit_period") var limitPeriod: String?
    @OptionalField(key: "limit_hours") var limitHours: Double?
    @OptionalField(key: "limit_days") var limitDays: Int?
    @Field(key: "limit_enforce") var limitEnforce: Bool
    @Field(key: "overtime") var overtime: String
    @Group(key: "payg") var payAsYouGo: RateColumns
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _name, _locationIds, _accessHours, _limitPeriod, _limitHours, _limitDays, _limitEnforce, _overtime, _payAsYouGo,
            _createdAt
        ]
    }

    var limits: PlanLimits? {
        guard let period = limitPeriod.flatMap(LimitPeriod.init(rawValue:)) else { return nil }
        return PlanLimits(period: period, hours: limitHours, days: limitDays, enforce: limitEnforce)
    }

    var rules: Plan {
        Plan(
            id: id!,
            locationIds: Set(locationIds),
            accessHours: accessHours.flatMap { try? WeeklySchedule(wire: $0) },
            limits: limits,
            overtime: Overtime(rawValue: overtime) ?? .allow,
            payAsYouGo: payAsYouGo.rate
        )
    }
}
