import Fluent
import FootfallCore
import Foundation

final class CustomerModel: Model, @unchecked Sendable {
    static let schema = "customers"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// Lower-cased, so that uniqueness and matching by email ignore case.
    @Field(key: "email") var email: String
    @OptionalField(key: "plan_id") var planId: UUID?
    @Field(key: "active") var active: Bool
    /// HMAC-SHA256 of the PIN under the server's secret: unique, and found without trying every hash.
    @OptionalField(key: "pin_hash") var pinHash: String?
    /// The seed of the rotating member code.
    @Field(key: "member_secret") var memberSecret: String
    /// The time step of the last member code accepted: each code works once.
    @OptionalField(key: "member_code_step") var memberCodeStep: Int64?
    /// `member`, or `visitor` for the customer made with a printed visitor token.
    @Field(key: "kind") var kind: String
    /// The customer's own pay-as-you-go rate (it wins over the plan's).
    @Group(key: "payg") var payAsYouGo: RateColumns
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _name, _email, _planId, _active, _pinHash, _memberSecret, _memberCodeStep, _kind, _payAsYouGo, _createdAt
        ]
    }
}

extension CustomerModel {
    /// The pay-as-you-go rate that applies: the customer's own, else their plan's.
    func payAsYouGoRate(plan: PlanModel?) -> PayAsYouGoRate? { payAsYouGo.rate ?? plan?.payAsYouGo.rate }
}

enum CustomerKind: String, Codable, CaseIterable {
    case member, visitor
}

/// A pay-as-you-go rate in four columns (`payg_price`, …); no price is no rate.
final class RateColumns: Fields, @unchecked Sendable {
    @OptionalField(key: "price") var price: Int?
    @OptionalField(key: "increment") var increment: Int?
    @OptionalField(key: "daily_minimum") var dailyMinimum: Int?
    @OptionalField(key: "daily_maximum") var dailyMaximum: Int?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_price, _increment, _dailyMinimum, _dailyMaximum] }

    /// The rate the four columns hold, as read straight from a row.
    static func rate(price: Int?, increment: Int?, dailyMinimum: Int?, dailyMaximum: Int?) -> PayAsYouGoRate? {
        price.map { PayAsYouGoRate(price: $0, increment: increment ?? PayAsYouGoRate.defaultIncrement,
                                   dailyMinimum: dailyMinimum, dailyMaximum: dailyMaximum) }
    }

    var rate: PayAsYouGoRate? {
        get { Self.rate(price: price, increment: increment, dailyMinimum: dailyMinimum, dailyMaximum: dailyMaximum) }
        set {
            price = newValue?.price
            increment = newValue?.increment
            dailyMinimum = newValue?.dailyMinimum
            dailyMaximum = newValue?.dailyMaximum
        }
    }
}
