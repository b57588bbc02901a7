import Foundation
import FootfallCore
import Testing

@Suite("Reports: presence per location day, occupancy per hour")
struct ReportTests {
    let ada = UUID(), grace = UUID()
    let utc = ISO8601DateFormatter()

    func instant(_ text: String) -> Date { utc.date(from: text)! }

    @Test func aVisitAcrossTheCutoffCountsOnBothDays() {
        // Cut-off 03:00 in Berlin (UTC+1 in November): 02:30 to 03:30 local.
        let zone = LocalZone(timeZone: berlin, cutoff: LocalTime("03:00")!)
        let days = DayPresence.split([
            PresenceSpan(customer: ada, start: instant("2026-11-27T01:30:00Z"), end: instant("2026-11-27T02:30:00Z")),
            // 23:30 to 02:30 local: past midnight, before the cut-off, so one day.
            PresenceSpan(customer: grace, start: instant("2026-11-26T22:30:00Z"), end: instant("2026-11-27T01:30:00Z")),
        ], zone: zone)
        let first = LocalDate("2026-11-26")!, second = LocalDate("2026-11-27")!
        #expect(days[first]?.seconds == 12_600)  // 30 + 180 minutes
        #expect(days[first]?.visits == 2)
        #expect(days[first]?.customers == [ada, grace])
        #expect(days[second]?.seconds == 1_800)
        #expect(days[second]?.customers == [ada])
    }

    @Test func theAutumnChangeDayHas25Hours() {
        let zone = LocalZone(timeZone: berlin)
        // From 23:00 CEST on the 24th to 00:30 CET on the 26th.
        let days = DayPresence.split([
            PresenceSpan(customer: ada, start: instant("2026-10-24T21:00:00Z"), end: instant("2026-10-25T23:30:00Z")),
        ], zone: zone)
        #expect(days[LocalDate("2026-10-24")!]?.seconds == 3600)
        #expect(days[LocalDate("2026-10-25")!]?.seconds == 90_000)  // 25 hours
        #expect(days[LocalDate("2026-10-26")!]?.seconds == 1800)
    }

    @Test func occupancyPerHourHasPeakAndAverage() {
        let zone = LocalZone(timeZone: berlin)
        let hours = HourOccupancy.hourly([
            instant("2026-11-26T08:00:00Z")..<instant("2026-11-26T09:30:00Z"),
            instant("2026-11-26T08:30:00Z")..<instant("2026-11-26T08:45:00Z"),
            // Arrives the moment the first leaves: never two in at once.
            instant("2026-11-26T09:30:00Z")..<instant("2026-11-26T10:30:00Z"),
        ], from: instant("2026-11-26T08:00:00Z"), to: instant("2026-11-26T11:00:00Z"), zone: zone)
        #expect(hours == [
            HourOccupancy(start: instant("2026-11-26T08:00:00Z"), peak: 2, average: 1.25),
            HourOccupancy(start: instant("2026-11-26T09:00:00Z"), peak: 1, average: 1),
            HourOccupancy(start: instant("2026-11-26T10:00:00Z"), peak: 1, average: 0.5),
        ])
    }

    @Test func hoursFollowTheLocalClockOfAHalfHourZone() {
        let zone = LocalZone(timeZone: TimeZone(identifier: "Asia/Kolkata")!)
        let hours = HourOccupancy.hourly([], from: instant("2026-11-26T08:00:00Z"), to: instant("2026-11-26T09:00:00Z"), zone: zone)
        // 13:30 local is inside the hour that began at 13:00 local, 07:30Z.
        #expect(hours.map(\.start) == [instant("2026-11-26T07:30:00Z"), instant("2026-11-26T08:30:00Z")])
        #expect(hours.allSatisfy { $0.peak == 0 && $0.average == 0 })
    }

    @Test func theHeatMapAveragesEachHourOfTheWeekOnTheLocalClock() {
        let zone = LocalZone(timeZone: berlin)
        // Two Mondays in November (UTC+1): Ada 09:00–10:00 local on both, Grace 09:30–10:00 on
        // the second only; the range is those two whole weeks.
        let stays = [
            instant("2026-11-16T08:00:00Z")..<instant("2026-11-16T09:00:00Z"),
            instant("2026-11-23T08:00:00Z")..<instant("2026-11-23T09:00:00Z"),
            instant("2026-11-23T08:30:00Z")..<instant("2026-11-23T09:00:00Z"),
        ]
        let hours = HourOccupancy.hourly(stays, from: instant("2026-11-15T23:00:00Z"), to: instant("2026-11-29T23:00:00Z"), zone: zone)
        let week = HourOfWeek(hours, zone: zone)
        #expect(week.averages[0][9] == 1.25)  // (1 + 1.5) / 2
        #expect(week.averages[0][8] == 0)
        #expect(week.averages[0][10] == 0)
        #expect(week.averages[6][23] == 0)
        #expect(week.highest == 1.25)
        // A range of one Tuesday has no Monday hours at all.
        let tuesday = HourOfWeek(HourOccupancy.hourly([], from: instant("2026-11-16T23:00:00Z"), to: instant("2026-11-17T23:00:00Z"), zone: zone), zone: zone)
        #expect(tuesday.averages[0][9] == nil)
        #expect(tuesday.averages[1][9] == 0)
        #expect(tuesday.highest == 0)
    }
}
