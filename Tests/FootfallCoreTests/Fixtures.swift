import Foundation
import FootfallCore

/// An instant written as a local wall-clock time in a zone, e.g. `at("2026-03-29 01:30", berlin)`.
func at(_ text: String, _ zone: TimeZone) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

let berlin = TimeZone(identifier: "Europe/Berlin")!
let newYork = TimeZone(identifier: "America/New_York")!

func schedule(_ wire: [String: [[String]]]) -> WeeklySchedule {
    try! WeeklySchedule(wire: wire)
}

let weekdaysNineToFive = schedule(["mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
                                   "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]])

/// A request that admits with a plain plan; tests change what they are about.
func request(
    at instant: Date,
    location: Location,
    active: Bool = true,
    plan: Plan? = nil,
    usage: PlanUsage? = nil,
    passes: [Pass] = [],
    othersPresent: Int = 0
) -> AdmissionRequest {
    AdmissionRequest(at: instant, location: location, customerActive: active, plan: plan, planUsage: usage,
                     passes: passes, othersPresent: othersPresent)
}

extension AdmissionDecision {
    var reason: ReasonCode? {
        if case .refused(let reason) = self { return reason }
        return nil
    }

    var admitted: Admitted? {
        if case .admitted(let admitted) = self { return admitted }
        return nil
    }
}
