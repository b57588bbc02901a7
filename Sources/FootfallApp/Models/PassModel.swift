import Fluent
import Foundation
import FootfallCore

final class PassModel: Model, @unchecked Sendable {
    static let schema = "passes"

    @ID(key: .id) var id: UUID?
    @Field(key: "customer_id") var customerId: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "minutes") var minutes: Int?
    @OptionalField(key: "valid_from") var validFrom: Date?
    @OptionalField(key: "valid_until") var validUntil: Date?
    @Field(key: "location_ids") var locationIds: [UUID]
    /// Day passes: the location day (`YYYY-MM-DD`) of their first check-in.
    @OptionalField(key: "used_on") var usedOn: String?
    /// Seconds used by visits whose link to this pass retention has removed.
    @OptionalField(key: "anonymised_seconds") var anonymisedSeconds: Double?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] {
        [
            _id, _customerId, _kind, _minutes, _validFrom, _validUntil, _locationIds, _usedOn, _anonymisedSeconds, _createdAt
        ]
    }

    func rules(usedSeconds: TimeInterval) -> Pass {
        Pass(
            id: id!,
            kind: PassKind(rawValue: kind) ?? .day,
            minutes: minutes,
            validFrom: validFrom,
            validUntil: validUntil,
            locationIds: Set(locationIds),
            usedOn: usedOn.flatMap(LocalDate.init),
            usedSeconds: usedSeconds
        )
    }
}
