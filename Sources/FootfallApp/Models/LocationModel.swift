import Fluent
import Foundation
import FootfallCore

final class LocationModel: Model, @unchecked Sendable {
    static let schema = "locations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "time_zone") var timeZone: String
    @OptionalField(key: "capacity") var capacity: Int?
    @OptionalField(key: "opening_hours") var openingHours: [String: [[String]]]?
    @Field(key: "cutoff_time") var cutoffTime: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// Every property wrapper above, listed rather than found by reflection (see `ModelPropertiesTests`).
    var properties: [any AnyProperty] { [_id, _name, _timeZone, _capacity, _openingHours, _cutoffTime, _createdAt] }

    /// The location as the rules see it. Stored values were validated on the way in.
    var rules: FootfallCore.Location {
        FootfallCore.Location(
            id: id!,
            zone: zone,
            capacity: capacity,
            openingHours: openingHours.flatMap { try? WeeklySchedule(wire: $0) }
        )
    }

    var zone: LocalZone {
        LocalZone(timeZone: TimeZone(identifier: timeZone) ?? .gmt, cutoff: LocalTime(cutoffTime) ?? .midnight)
    }
}
