import Fluent
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
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
