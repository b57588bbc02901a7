import FootfallCore
import Vapor

struct PassDTO: WireObject {
    var id: UUID
    var customerId: UUID
    var kind: String
    var minutes: Int?
    var remainingMinutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]
    var usedOn: [String]

    init(_ model: PassModel, usedSeconds: TimeInterval) {
        let pass = model.rules(usedSeconds: usedSeconds)
        id = model.id!
        customerId = model.customerId
        kind = model.kind
        minutes = model.minutes
        remainingMinutes = pass.remainingSeconds.map { Int(saturating: $0 / 60) }
        validFrom = model.validFrom
        validUntil = model.validUntil
        locationIds = model.locationIds
        usedOn = model.usedOn.map { [$0] } ?? []
    }
}

struct PassInput: Decodable, Sendable {
    /// A time pass holds at most a year's minutes (366 days).
    static let maximumMinutes = 527_040

    var kind: String
    var minutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]?

    func model(customerId: UUID, knownLocations: Set<UUID>) throws -> PassModel {
        guard let kind = PassKind(rawValue: kind) else {
            throw APIError.invalidRequest(field: "kind", detail: "must be \"day\" or \"time\".")
        }
        switch (kind, minutes) {
        case (.time, nil): throw APIError.invalidRequest(field: "minutes", detail: "is required for a time pass.")
        case (.time, let minutes?): _ = try Check.bounded(minutes, 1...Self.maximumMinutes, "minutes")
        case (.day, nil): break
        case (.day, _?): throw APIError.invalidRequest(field: "minutes", detail: "is only for time passes.")
        }
        if let validFrom, let validUntil, validUntil <= validFrom {
            throw APIError.invalidRequest(field: "validUntil", detail: "must be after validFrom.")
        }
        if let unknown = locationIds?.first(where: { !knownLocations.contains($0) }) {
            throw APIError.invalidRequest(field: "locationIds", detail: "no location \(unknown).")
        }
        let model = PassModel()
        model.customerId = customerId
        model.kind = kind.rawValue
        model.minutes = minutes
        model.validFrom = validFrom
        model.validUntil = validUntil
        model.locationIds = Array(Set(locationIds ?? [])).sorted { $0.uuidString < $1.uuidString }
        return model
    }
}

/// `GET /customers/{id}/usage`: the current period's plan usage and every pass's balance.
struct UsageDTO: WireObject {
    struct Period: WireObject {
        var start: Date
        var end: Date
    }

    struct PassBalance: WireObject {
        var id: UUID
        var kind: String
        var remainingMinutes: Int?
        var usedOn: String?
    }

    var period: Period
    var limits: LimitsDTO?
    var usedMinutes: Int
    var usedDays: Int
    var remainingMinutes: Int?
    var remainingDays: Int?
    var overtimeMinutes: Int
    var overLimit: Bool
    var passes: [PassBalance]

    init(usage: PlanUsage, passes: [(PassModel, TimeInterval)]) {
        func minutes(_ seconds: TimeInterval) -> Int { Int(saturating: seconds / 60) }
        period = Period(start: usage.period.start, end: usage.period.end)
        limits = usage.limits.map(LimitsDTO.init)
        usedMinutes = minutes(usage.usedSeconds)
        usedDays = usage.usedDays.count
        remainingMinutes = usage.remainingSeconds.map(minutes)
        remainingDays = usage.remainingDays
        overtimeMinutes = minutes(usage.overtimeSeconds)
        overLimit = usage.overtimeSeconds > 0 || (usage.limits?.days).map { usage.usedDays.count > $0 } ?? false
        self.passes = passes.map { model, used in
            let pass = model.rules(usedSeconds: used)
            return PassBalance(id: pass.id, kind: model.kind, remainingMinutes: pass.remainingSeconds.map(minutes), usedOn: model.usedOn)
        }
    }
}
