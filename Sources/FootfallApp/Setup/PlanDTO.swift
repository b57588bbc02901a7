import FootfallCore
import Vapor

struct PlanDTO: WireObject {
    var id: UUID
    var name: String
    var locationIds: [UUID]
    var accessHours: [String: [[String]]]?
    var limits: LimitsDTO?
    var overtime: String
    var payAsYouGo: RateDTO?

    init(_ model: PlanModel) {
        id = model.id!
        name = model.name
        locationIds = model.locationIds
        accessHours = model.accessHours
        limits = model.limits.map(LimitsDTO.init)
        overtime = model.overtime
        payAsYouGo = model.payAsYouGo.rate.map(RateDTO.init)
    }
}

struct LimitsDTO: WireObject, Decodable {
    var period: String
    var hours: Double?
    var days: Int?
    var enforce: Bool?

    init(period: String, hours: Double?, days: Int?, enforce: Bool?) {
        self.period = period
        self.hours = hours
        self.days = days
        self.enforce = enforce
    }

    init(_ limits: PlanLimits) {
        period = limits.period.rawValue
        hours = limits.hours
        days = limits.days
        enforce = limits.enforce
    }

    /// A period is at most a month: 31 days, 744 hours.
    static let maximumHours: Double = 744
    static let maximumDays = 31

    func validated() throws -> PlanLimits {
        guard let period = LimitPeriod(rawValue: period) else {
            throw APIError.invalidRequest(field: "limits.period", detail: "must be \"week\" or \"month\".")
        }
        if let hours, !(hours > 0 && hours <= Self.maximumHours) {
            throw APIError.invalidRequest(field: "limits.hours", detail: "must be greater than zero and at most \(Int(Self.maximumHours)) (a month's hours).")
        }
        if let days { _ = try Check.bounded(days, 1...Self.maximumDays, "limits.days") }
        guard hours != nil || days != nil else {
            throw APIError.invalidRequest(field: "limits", detail: "needs hours, days or both.")
        }
        return PlanLimits(period: period, hours: hours, days: days, enforce: enforce ?? true)
    }
}

struct PlanInput: Decodable, Sendable {
    var name: String?
    var locationIds: [UUID]?
    var accessHours: Patch<[String: [[String]]]>
    var limits: Patch<LimitsDTO>
    var overtime: String?
    var payAsYouGo: Patch<RateDTO>

    enum CodingKeys: String, CodingKey { case name, locationIds, accessHours, limits, overtime, payAsYouGo }

    init(name: String?, locationIds: [UUID]?, accessHours: Patch<[String: [[String]]]>, limits: Patch<LimitsDTO>, overtime: String?,
         payAsYouGo: Patch<RateDTO> = .absent) {
        self.name = name
        self.locationIds = locationIds
        self.accessHours = accessHours
        self.limits = limits
        self.overtime = overtime
        self.payAsYouGo = payAsYouGo
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeUnlessAbsent(String.self, forKey: .name)
        locationIds = try container.decodeUnlessAbsent([UUID].self, forKey: .locationIds)
        accessHours = try container.decodePatch([String: [[String]]].self, forKey: .accessHours)
        limits = try container.decodePatch(LimitsDTO.self, forKey: .limits)
        overtime = try container.decodeUnlessAbsent(String.self, forKey: .overtime)
        payAsYouGo = try container.decodePatch(RateDTO.self, forKey: .payAsYouGo)
    }

    func apply(to model: PlanModel, creating: Bool, knownLocations: Set<UUID>) throws {
        if creating, name == nil { throw APIError.invalidRequest(field: "name", detail: "is required.") }
        if let name { model.name = try Check.nonEmpty(name, "name") }
        if let locationIds {
            if let unknown = locationIds.first(where: { !knownLocations.contains($0) }) {
                throw APIError.invalidRequest(field: "locationIds", detail: "no location \(unknown).")
            }
            model.locationIds = Array(Set(locationIds)).sorted { $0.uuidString < $1.uuidString }
        } else if creating {
            model.locationIds = []
        }
        if case .value(let hours) = accessHours { _ = try ScheduleInput.parse(hours, field: "accessHours") }
        model.accessHours = accessHours.applied(to: model.accessHours)
        switch limits {
        case .absent:
            if creating { model.limitPeriod = nil; model.limitEnforce = true }
        case .null:
            model.limitPeriod = nil
            model.limitHours = nil
            model.limitDays = nil
            model.limitEnforce = true
        case .value(let dto):
            let limits = try dto.validated()
            model.limitPeriod = limits.period.rawValue
            model.limitHours = limits.hours
            model.limitDays = limits.days
            model.limitEnforce = limits.enforce
        }
        if let overtime {
            guard Overtime(rawValue: overtime) != nil else {
                throw APIError.invalidRequest(field: "overtime", detail: "must be \"checkout\" or \"allow\".")
            }
            model.overtime = overtime
        } else if creating {
            model.overtime = Overtime.allow.rawValue
        }
        try payAsYouGo.apply(to: model.payAsYouGo)
    }
}

/// A pay-as-you-go rate on the wire: `price` per `increment` minutes (default 15), with an
/// optional daily minimum and maximum, all amounts in minor units of the server's currency.
struct RateDTO: WireObject, Decodable {
    /// A hundred million minor units (a million euros) a step or a day at most: amounts stay far
    /// from overflowing, and a typo of a few extra digits is refused.
    static let maximumAmount = 100_000_000

    var price: Int
    var increment: Int?
    var dailyMinimum: Int?
    var dailyMaximum: Int?

    init(_ rate: PayAsYouGoRate) {
        price = rate.price
        increment = rate.increment
        dailyMinimum = rate.dailyMinimum
        dailyMaximum = rate.dailyMaximum
    }

    func validated() throws -> PayAsYouGoRate {
        let amounts = 0...Self.maximumAmount
        _ = try Check.bounded(price, amounts, "payAsYouGo.price")
        if let increment { _ = try Check.bounded(increment, 1...1440, "payAsYouGo.increment") }
        if let dailyMinimum { _ = try Check.bounded(dailyMinimum, amounts, "payAsYouGo.dailyMinimum") }
        if let dailyMaximum { _ = try Check.bounded(dailyMaximum, amounts, "payAsYouGo.dailyMaximum") }
        if let dailyMinimum, let dailyMaximum, dailyMaximum < dailyMinimum {
            throw APIError.invalidRequest(field: "payAsYouGo.dailyMaximum", detail: "must not be below dailyMinimum.")
        }
        return PayAsYouGoRate(price: price, increment: increment ?? PayAsYouGoRate.defaultIncrement,
                              dailyMinimum: dailyMinimum, dailyMaximum: dailyMaximum)
    }
}

extension Patch<RateDTO> {
    /// Sets, clears (`null`) or leaves the rate.
    func apply(to columns: RateColumns) throws {
        switch self {
        case .absent: break
        case .null: columns.rate = nil
        case .value(let dto): columns.rate = try dto.validated()
        }
    }
}
