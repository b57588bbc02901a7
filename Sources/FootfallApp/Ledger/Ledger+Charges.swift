import Algorithms
import Crypto
import Fluent
import FootfallCore
import Foundation
import SQLKit

/// Pay-as-you-go charges: a customer's charged minutes at a location on a location day, priced
/// by the rate their first charged visit of the day carried. Pending charges are worked out from
/// the visits whenever they are asked for; once the day's cut-off has passed and none of its
/// visits is open, the sweeper stores the charge, final, and announces it.
extension Ledger {
    /// One customer's charge for one location day, final or pending.
    struct Charge: Sendable {
        var id: UUID
        var customerId: UUID?
        var locationId: UUID
        var day: LocalDate
        var dayStart: Date
        var minutes: Int
        var amount: Int64
        var currency: String
        var isFinal: Bool
        var checkInIds: [UUID]
    }

    /// A customer at a location on a day.
    struct ChargeKey: Hashable, Sendable {
        var customerId: UUID
        var locationId: UUID
        var day: LocalDate

        /// The charge's id: the same whether pending or final, on every server.
        var chargeId: UUID {
            var digest = Array(SHA256.hash(data: Data("charge|\(customerId)|\(locationId)|\(day)".utf8)).prefix(16))
            digest[6] = (digest[6] & 0x0F) | 0x80  // version 8: a name-based id of our own making
            digest[8] = (digest[8] & 0x3F) | 0x80  // RFC 9562 variant
            return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                               digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
        }
    }

    /// The charged visits not yet settled (their days not all final), grouped by the days they
    /// are charged on; `customerId` narrows to one customer.
    /// `uncharged`: visits that ended before their rate took over (a plan's included hours
    /// lasted them), which are on no day.
    func unsettledCharges(at now: Date, customerId: UUID? = nil, on db: any Database) async throws
        -> (groups: [ChargeKey: (visits: [CheckInModel], zone: LocalZone)], uncharged: [UUID]) {
        var query = CheckInModel.query(on: db).filter(\.$chargedFrom != nil).filter(\.$chargeSettled == nil)
        if let customerId { query = query.filter(\.$customerId == customerId) }
        let visits = try await query.all()
        guard !visits.isEmpty else { return ([:], []) }
        let zones = try await Standing(db: db).locationZones()
        var groups: [ChargeKey: (visits: [CheckInModel], zone: LocalZone)] = [:]
        var uncharged: [UUID] = []
        for visit in visits {
            guard let zone = zones[visit.locationId], let charged = visit.charged else { continue }
            let days = charged.days(zone: zone, now: now)
            if days.isEmpty, visit.checkedOutAt != nil { uncharged.append(visit.id!) }
            for day in days {
                groups[ChargeKey(customerId: visit.customerId, locationId: visit.locationId, day: day), default: ([], zone)].visits.append(visit)
            }
        }
        return (groups, uncharged)
    }

    /// What a group of visits comes to: priced at the rate of the day's first charged visit.
    func charge(_ key: ChargeKey, _ visits: [CheckInModel], zone: LocalZone, now: Date) -> Charge {
        let sorted = visits.sorted { ($0.chargedFrom ?? $0.checkedInAt) < ($1.chargedFrom ?? $1.checkedInAt) }
        let rate = sorted.lazy.compactMap(\.chargeRate).first ?? PayAsYouGoRate(price: 0)
        let total = PayAsYouGo.charge(sorted.compactMap(\.charged), on: key.day, zone: zone, rate: rate, now: now)
        return Charge(id: key.chargeId, customerId: key.customerId, locationId: key.locationId, day: key.day,
                      dayStart: PayAsYouGo.interval(of: key.day, zone: zone).start, minutes: total.minutes, amount: Int64(total.amount),
                      currency: currency, isFinal: false, checkInIds: sorted.compactMap(\.id))
    }

    /// Stores every charge that has become final, once (another server may store it first: then
    /// this one neither stores nor announces it), and marks visits whose days are all final.
    func settleCharges(at now: Date, on db: any Database) async throws {
        let (groups, uncharged) = try await unsettledCharges(at: now, on: db)
        guard !groups.isEmpty || !uncharged.isEmpty else { return }
        var finalDays = Set<ChargeKey>()
        for (key, group) in groups where PayAsYouGo.isFinal(group.visits.compactMap(\.charged), on: key.day, zone: group.zone, now: now) {
            finalDays.insert(key)
            let charge = charge(key, group.visits, zone: group.zone, now: now)
            let row = ChargeModel()
            row.id = charge.id
            row.customerId = charge.customerId
            row.locationId = charge.locationId
            row.day = charge.day.description
            row.dayStart = charge.dayStart
            row.minutes = charge.minutes
            row.amount = charge.amount
            row.currency = charge.currency
            row.checkInIds = charge.checkInIds
            let inserted = try await (db as! any SQLDatabase).insert(into: ChargeModel.schema)
                .columns("id", "customer_id", "location_id", "day", "day_start", "minutes", "amount", "currency", "check_in_ids", "created_at")
                .values(SQLBind(row.id!), SQLBind(row.customerId), SQLBind(row.locationId), SQLBind(row.day), SQLBind(row.dayStart),
                        SQLBind(row.minutes), SQLBind(row.amount), SQLBind(row.currency), SQLBind(row.checkInIds), SQLBind(now))
                .ignoringConflicts()
                .returning("id")
                .all()
            if !inserted.isEmpty {
                var final = charge
                final.isFinal = true
                PendingEvents.charge(ChargeDTO(final))
            } else if let stored = try await ChargeModel.find(charge.id, on: db),
                      case let late = Set(charge.checkInIds).subtracting(stored.checkInIds), !late.isEmpty {
                // Final is final: a visit entered on the day after it was (a back-dated check-in,
                // a correction) is not charged. Said, so that it can be billed by hand.
                logger.warning("pay-as-you-go visits on a day already charged, not added to its charge", metadata: [
                    "charge": .string(charge.id.uuidString), "day": .string(charge.day.description),
                    "checkIns": .string(late.map(\.uuidString).sorted().joined(separator: ",")),
                ])
            }
        }
        // A visit is settled once every day it is charged on is final.
        var days: [UUID: [ChargeKey]] = [:]
        for (key, group) in groups { for visit in group.visits { days[visit.id!, default: []].append(key) } }
        let settled = days.filter { $0.value.allSatisfy(finalDays.contains) }.map(\.key) + uncharged
        for chunk in settled.chunks(ofCount: 500) {
            try await CheckInModel.query(on: db).filter(\.$id ~~ Array(chunk)).set(\.$chargeSettled, to: true).update()
        }
    }
}

extension CheckInModel {
    /// The visit as the charge rules see it; nil when it is not charged.
    var charged: ChargedVisit? {
        chargedFrom.map { ChargedVisit(id: id!, chargedFrom: $0, checkedOutAt: checkedOutAt) }
    }
}
