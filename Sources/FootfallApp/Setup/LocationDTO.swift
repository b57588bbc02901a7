import FootfallCore
import Vapor

struct LocationDTO: WireObject {
    var id: UUID
    var name: String
    var timeZone: String
    var capacity: Int?
    var openingHours: [String: [[String]]]?
    var cutoffTime: String

    init(_ model: LocationModel) {
        id = model.id!
        name = model.name
        timeZone = model.timeZone
        capacity = model.capacity
        openingHours = model.openingHours
        cutoffTime = model.cutoffTime
    }
}

/// The body of `POST /locations` and, with every field optional, of `PATCH /locations/{id}`.
struct LocationInput: Decodable, Sendable {
    /// More people than any space holds, far from any overflow.
    static let maximumCapacity = 100_000

    var name: String?
    var timeZone: String?
    var capacity: Patch<Int>
    var openingHours: Patch<[String: [[String]]]>
    var cutoffTime: String?

    enum CodingKeys: String, CodingKey { case name, timeZone, capacity, openingHours, cutoffTime }

    init(name: String?, timeZone: String?, capacity: Patch<Int>, openingHours: Patch<[String: [[String]]]>, cutoffTime: String?) {
        self.name = name
        self.timeZone = timeZone
        self.capacity = capacity
        self.openingHours = openingHours
        self.cutoffTime = cutoffTime
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeUnlessAbsent(String.self, forKey: .name)
        timeZone = try container.decodeUnlessAbsent(String.self, forKey: .timeZone)
        capacity = try container.decodePatch(Int.self, forKey: .capacity)
        openingHours = try container.decodePatch([String: [[String]]].self, forKey: .openingHours)
        cutoffTime = try container.decodeUnlessAbsent(String.self, forKey: .cutoffTime)
    }

    /// Writes the given fields onto the model; on create every required field must be there.
    func apply(to model: LocationModel, creating: Bool) throws {
        if creating {
            guard name != nil else { throw APIError.invalidRequest(field: "name", detail: "is required.") }
            guard timeZone != nil else { throw APIError.invalidRequest(field: "timeZone", detail: "is required.") }
        }
        if let name { model.name = try Check.nonEmpty(name, "name") }
        if let timeZone {
            guard TimeZone(identifier: timeZone) != nil, timeZone.contains("/") || timeZone == "UTC" else {
                throw APIError.invalidRequest(field: "timeZone", detail: "must be an IANA time zone such as Europe/Berlin.")
            }
            model.timeZone = timeZone
        }
        if case .value(let capacity) = capacity { _ = try Check.bounded(capacity, 1...LocationInput.maximumCapacity, "capacity") }
        model.capacity = capacity.applied(to: model.capacity)
        if case .value(let hours) = openingHours { _ = try ScheduleInput.parse(hours, field: "openingHours") }
        model.openingHours = openingHours.applied(to: model.openingHours)
        if let cutoffTime {
            guard let time = LocalTime(cutoffTime), time.minutes < 1440 else {
                throw APIError.invalidRequest(field: "cutoffTime", detail: "must be a time of day HH:MM from 00:00 to 23:59.")
            }
            model.cutoffTime = time.description
        } else if creating {
            model.cutoffTime = "00:00"
        }
    }
}

enum ScheduleInput {
    static func parse(_ wire: [String: [[String]]], field: String) throws -> WeeklySchedule {
        do {
            return try WeeklySchedule(wire: wire)
        } catch .unknownWeekday(let key) {
            throw APIError.invalidRequest(field: "\(field).\(key)", detail: "is not a weekday; use mon, tue, wed, thu, fri, sat, sun.")
        } catch .malformedRange(let weekday, let index) {
            throw APIError.invalidRequest(field: "\(field).\(weekday).\(index)", detail: "must be [\"HH:MM\",\"HH:MM\"] with the start before the end.")
        }
    }
}
