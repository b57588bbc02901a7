import Foundation
import FootfallCore
import Testing
import TestSupport

@Suite("Calendar: periods, days and cut-offs in the location's zone")
struct CalendarTests {
    let utc = ISO8601DateFormatter()

    func instant(_ text: String) -> Date { utc.date(from: text)! }

    @Test func weekStartsMondayAtLocalMidnight() {
        let week = LocalZone(timeZone: berlin).period(.week, containing: at("2026-10-28 12:00", berlin))
        #expect(week.start == instant("2026-10-25T23:00:00Z"))
        #expect(week.end == instant("2026-11-01T23:00:00Z"))
    }

    @Test func weekAcrossTheAutumnChangeHasAnExtraHour() {
        let week = LocalZone(timeZone: berlin).period(.week, containing: at("2026-10-25 12:00", berlin))
        #expect(week.start == instant("2026-10-18T22:00:00Z"))
        #expect(week.end == instant("2026-10-25T23:00:00Z"))
        #expect(week.duration == 7 * 86400 + 3600)
    }

    @Test func monthInNewYorkAcrossItsDaylightSavingChange() {
        let month = LocalZone(timeZone: newYork).period(.month, containing: at("2026-11-15 12:00", newYork))
        #expect(month.start == instant("2026-11-01T04:00:00Z"))
        #expect(month.end == instant("2026-12-01T05:00:00Z"))
    }

    @Test func theSameInstantIsInDifferentMonthsInTwoZones() {
        let instant = instant("2026-12-01T03:30:00Z") // 22:30 on 30 Nov in New York, 04:30 on 1 Dec in Berlin
        #expect(LocalZone(timeZone: newYork).period(.month, containing: instant).start == self.instant("2026-11-01T04:00:00Z"))
        #expect(LocalZone(timeZone: berlin).period(.month, containing: instant).start == self.instant("2026-11-30T23:00:00Z"))
    }

    @Test func a0300CutoffStartsTheDayAtThree() {
        let zone = LocalZone(timeZone: berlin, cutoff: LocalTime("03:00")!)
        #expect(zone.day(of: at("2026-11-27 02:59", berlin)) == LocalDate(year: 2026, month: 11, day: 26))
        #expect(zone.day(of: at("2026-11-27 03:00", berlin)) == LocalDate(year: 2026, month: 11, day: 27))
        #expect(zone.nextCutoff(after: at("2026-11-26 22:00", berlin)) == at("2026-11-27 03:00", berlin))
        #expect(zone.nextCutoff(after: at("2026-11-27 01:00", berlin)) == at("2026-11-27 03:00", berlin))
        #expect(zone.nextCutoff(after: at("2026-11-27 03:00", berlin)) == at("2026-11-28 03:00", berlin))
    }

    @Test func cutoffOnTheNightTheClocksGoBack() {
        let zone = LocalZone(timeZone: berlin, cutoff: LocalTime("03:00")!)
        // 20:00 CEST is 18:00Z; 03:00 CET on the 25th is 02:00Z: eight hours later, not seven.
        let closing = zone.nextCutoff(after: instant("2026-10-24T18:00:00Z"))
        #expect(closing == instant("2026-10-25T02:00:00Z"))
    }

    @Test func cutoffInsideTheSpringGapMovesOnByTheGap() {
        let zone = LocalZone(timeZone: berlin, cutoff: LocalTime("02:30")!)
        #expect(zone.nextCutoff(after: at("2026-03-28 20:00", berlin)) == instant("2026-03-29T01:30:00Z"))
    }

    /// The wall clock `LocalZone` works out from the zone's offset agrees with Foundation's
    /// `Calendar` (the day, weekday and time of day, the location's day and its next cut-off)
    /// at 2,000 random instants from 1900 to 2200 in each of a dozen zones (daylight saving,
    /// offsets of half and three quarters of an hour, +14 hours, a day skipped, offsets in
    /// seconds before 1940), and every 7 minutes for three hours either side of each change of
    /// offset from 2020 to 2030; the instants in order and shuffled, so that the remembered
    /// cut-off is asked for both ways.
    @Test func theWallClockAgreesWithFoundationsCalendar() {
        var random = SeededGenerator.fromEnvironment()
        let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kathmandu",
                     "America/St_Johns", "Pacific/Chatham", "Africa/Casablanca", "Europe/Amsterdam", "Pacific/Kiritimati",
                     "America/Sao_Paulo", "UTC"].map { TimeZone(identifier: $0)! }
        for timeZone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            var instants = (0..<2_000).map { _ in
                Date(timeIntervalSince1970: -2_208_988_800 + Double(random.next() % 9_467_107_200) + Double(random.next() % 1_000) / 1_000)
            }
            var change = instant("2020-01-01T00:00:00Z")
            while let next = timeZone.nextDaylightSavingTimeTransition(after: change), next < instant("2030-01-01T00:00:00Z") {
                instants += stride(from: -3 * 3600.0, through: 3 * 3600, by: 420).map { next + $0 + Double(random.next() % 60) }
                change = next
            }
            // The location's day and its next cut-off, from the calendar alone.
            func adding(_ days: Int, to date: LocalDate) -> LocalDate {
                let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
                let parts = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: days, to: noon)!)
                return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
            }
            for cutoff in [LocalTime.midnight, LocalTime("02:30")!, LocalTime("04:00")!] {
                var nextCutoffs: [Date: Date] = [:]
                for instant in instants {
                    let zone = LocalZone(timeZone: timeZone, cutoff: cutoff)
                    let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: instant)
                    let date = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
                    let time = LocalTime(minutes: parts.hour! * 60 + parts.minute!)!
                    #expect(zone.calendarDate(of: instant) == date, "\(timeZone.identifier) \(instant), seed \(random.seed)")
                    let (weekday, clock) = zone.weekdayAndTime(of: instant)
                    #expect(weekday == Weekday(gregorianWeekday: parts.weekday!) && clock == time, "\(timeZone.identifier) \(instant), seed \(random.seed)")
                    let day = time < cutoff ? adding(-1, to: date) : date
                    #expect(zone.day(of: instant) == day, "\(timeZone.identifier) \(instant) \(cutoff), seed \(random.seed)")
                    let following = adding(1, to: day)
                    let next = calendar.date(from: DateComponents(year: following.year, month: following.month, day: following.day,
                                                                  hour: cutoff.hour, minute: cutoff.minute))!
                    #expect(zone.nextCutoff(after: instant) == next, "\(timeZone.identifier) \(instant) \(cutoff), seed \(random.seed)")
                    nextCutoffs[instant] = next
                }
                // One zone asked for every instant, so that it answers from the cut-off it remembers.
                let remembering = LocalZone(timeZone: timeZone, cutoff: cutoff)
                for instant in instants.sorted() + instants.shuffled(using: &random) {
                    #expect(remembering.nextCutoff(after: instant) == nextCutoffs[instant], "\(timeZone.identifier) \(instant) \(cutoff), seed \(random.seed)")
                }
            }
        }
    }

    @Test func midnightCutoffUsesCalendarDays() {
        let zone = LocalZone(timeZone: newYork)
        #expect(zone.day(of: instant("2026-11-27T04:59:00Z")) == LocalDate(year: 2026, month: 11, day: 26))
        #expect(zone.nextCutoff(after: instant("2026-11-26T15:00:00Z")) == instant("2026-11-27T05:00:00Z"))
    }

    @Test func schedulesReadTheLocalWallClock() {
        let hours = schedule(["sun": [["02:00", "04:00"]]])
        let zone = LocalZone(timeZone: berlin)
        // On 25 Oct 2026 the hour 02:00–03:00 happens twice; both are inside.
        #expect(hours.contains(instant("2026-10-25T00:30:00Z"), in: zone))
        #expect(hours.contains(instant("2026-10-25T01:30:00Z"), in: zone))
        #expect(!hours.contains(instant("2026-10-25T03:00:00Z"), in: zone))
    }

    @Test func malformedSchedulesAreNamed() {
        #expect(throws: WeeklySchedule.ParseError.unknownWeekday("monday")) { try WeeklySchedule(wire: ["monday": [["08:00", "20:00"]]]) }
        #expect(throws: WeeklySchedule.ParseError.malformedRange(weekday: "mon", index: 1)) {
            try WeeklySchedule(wire: ["mon": [["08:00", "12:00"], ["20:00", "08:00"]]])
        }
        #expect(LocalTime("24:00")?.minutes == 1440)
        #expect(LocalTime("24:01") == nil)
        #expect(LocalTime("9:00") == nil)
    }
}

@Suite("Usage accounting and automatic check-out")
struct UsageTests {
    let zone = LocalZone(timeZone: berlin)

    @Test func visitsAreClippedToThePeriodAndOpenOnesCountToNow() {
        let november = zone.period(.month, containing: at("2026-11-15 12:00", berlin))
        let visits = [
            // 30 Oct 22:00 to 1 Nov 02:00 local: only the two November hours count.
            Visit(checkedInAt: at("2026-10-31 22:00", berlin), checkedOutAt: at("2026-11-01 02:00", berlin), day: LocalDate(year: 2026, month: 10, day: 31)),
            Visit(checkedInAt: at("2026-11-10 09:00", berlin), checkedOutAt: at("2026-11-10 12:30", berlin), day: LocalDate(year: 2026, month: 11, day: 10)),
            Visit(checkedInAt: at("2026-11-26 09:00", berlin), checkedOutAt: nil, day: LocalDate(year: 2026, month: 11, day: 26)),
        ]
        let usage = PlanUsage(visits: visits, period: november, limits: PlanLimits(period: .month, hours: 8, days: 3),
                              now: at("2026-11-26 10:00", berlin))
        let twoPlusThreeAndAHalfPlusOneHours: TimeInterval = 6.5 * 3600
        #expect(usage.usedSeconds == twoPlusThreeAndAHalfPlusOneHours)
        #expect(usage.usedDays == [LocalDate(year: 2026, month: 11, day: 10), LocalDate(year: 2026, month: 11, day: 26)])
        #expect(usage.remainingSeconds == 1.5 * 3600)
        #expect(usage.remainingDays == 1)
        #expect(usage.overtimeSeconds == 0)
    }

    @Test func overtimeCheckoutAtTheExactMinuteTheHoursRunOut() {
        let location = Location(id: UUID(), zone: zone)
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10), overtime: .checkout)
        let start = at("2026-11-26 09:00", berlin)
        let usage = PlanUsage(period: zone.period(.month, containing: start), limits: plan.limits, usedSeconds: 9 * 3600 + 15 * 60, usedDays: [])
        let admitted = Admission.decide(request(at: start, location: location, plan: plan, usage: usage)).admitted
        #expect(admitted?.entitlementEndsAt == at("2026-11-26 09:45", berlin))
        #expect(admitted?.closesWhenEntitlementEnds == true)
        let closing = ScheduledClosing(checkedInAt: start, zone: zone, timeLimitAt: admitted?.entitlementEndsAt)
        #expect(closing == ScheduledClosing(at: at("2026-11-26 09:45", berlin), method: .timeLimit))
    }

    @Test func allowOvertimeLetsTheVisitRunToTheCutoff() {
        let location = Location(id: UUID(), zone: zone)
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 10), overtime: .allow)
        let start = at("2026-11-26 09:00", berlin)
        let usage = PlanUsage(period: zone.period(.month, containing: start), limits: plan.limits, usedSeconds: 9 * 3600, usedDays: [])
        let admitted = Admission.decide(request(at: start, location: location, plan: plan, usage: usage)).admitted
        #expect(admitted?.closesWhenEntitlementEnds == false)
        let closing = ScheduledClosing(checkedInAt: start, zone: zone, timeLimitAt: nil)
        #expect(closing == ScheduledClosing(at: at("2026-11-27 00:00", berlin), method: .closingTime))
    }

    @Test func hoursThatOutlastThePeriodStartAfreshInTheNext() {
        let location = Location(id: UUID(), zone: zone)
        let plan = Plan(id: UUID(), limits: PlanLimits(period: .month, hours: 2), overtime: .checkout)
        let start = at("2026-11-30 23:30", berlin)
        let usage = PlanUsage(period: zone.period(.month, containing: start), limits: plan.limits, usedSeconds: 0, usedDays: [])
        let admitted = Admission.decide(request(at: start, location: location, plan: plan, usage: usage)).admitted
        #expect(admitted?.entitlementEndsAt == at("2026-12-01 02:00", berlin))
    }

    @Test func timeLimitLaterThanTheCutoffLeavesItToTheCutoff() {
        let closing = ScheduledClosing(checkedInAt: at("2026-11-26 22:00", berlin), zone: zone, timeLimitAt: at("2026-11-27 01:00", berlin))
        #expect(closing == ScheduledClosing(at: at("2026-11-27 00:00", berlin), method: .closingTime))
    }

    @Test func anIdleWifiVisitIsFoundAfterTheTimeoutAndClosedAtItsLastActivity() {
        let start = at("2026-11-26 09:00", berlin)
        let idle = ScheduledClosing.Idle(lastActivity: at("2026-11-26 09:40", berlin), timeout: 900)
        let closing = ScheduledClosing(checkedInAt: start, zone: zone, timeLimitAt: nil, idle: idle)
        #expect(closing == ScheduledClosing(at: at("2026-11-26 09:40", berlin), due: at("2026-11-26 09:55", berlin), method: .wifiIdle))
        // Activity until just before the cut-off: the cut-off comes first.
        let late = ScheduledClosing.Idle(lastActivity: at("2026-11-26 23:50", berlin), timeout: 900)
        #expect(ScheduledClosing(checkedInAt: start, zone: zone, timeLimitAt: nil, idle: late)
            == ScheduledClosing(at: at("2026-11-27 00:00", berlin), method: .closingTime))
        // A time limit before the idle timeout ends it.
        #expect(ScheduledClosing(checkedInAt: start, zone: zone, timeLimitAt: at("2026-11-26 09:30", berlin), idle: idle)
            == ScheduledClosing(at: at("2026-11-26 09:30", berlin), method: .timeLimit))
    }

    @Test func cardNumbersInTheirFormats() {
        #expect(CardNumber("01:02:6f:6c:3a")?.hex == "01026F6C3A")
        #expect(CardNumber("01026F6C3A", format: .hex)?.hex == "01026F6C3A")
        #expect(CardNumber("004335823930")?.hex == "01026F6C3A")
        #expect(CardNumber("111,27706")?.hex == "6F6C3A")
        #expect(CardNumber("111:27706", format: .wiegand26)?.hex == "6F6C3A")
        #expect(CardNumber("256:1", format: .wiegand26) == nil)
        #expect(CardNumber("xyz") == nil)
        #expect(CardNumber.masked("01026F6C3A") == "…6C3A")
        // White space at either end goes, tabs and Unicode spaces too; inside, only in hex.
        #expect(CardNumber("\t 01 02 6f-6c:3a \t")?.hex == "01026F6C3A")
        #expect(CardNumber("\u{00A0}004335823930\u{2003}")?.hex == "01026F6C3A")
        #expect(CardNumber("0043 35823930", format: .decimal) == nil)
        #expect(CardNumber("01026F6C3A\n") == nil)
        #expect(CardNumber("01026F6C3A\u{00A0}X") == nil)
        // Only ASCII hex digits: the ligature "ﬀ" upper-cases to "FF", which the parser took as a
        // hex number before it read bytes (3082df7).
        #expect(CardNumber("12\u{FB00}") == nil)
        // Leading zeros of hex go; an odd number of digits is padded; a decimal past 64 bits is none.
        #expect(CardNumber("00F6C3A", format: .hex)?.hex == "0F6C3A")
        #expect(CardNumber("000", format: .hex)?.hex == "00")
        #expect(CardNumber("18446744073709551616", format: .decimal) == nil)
        #expect(CardNumber("18446744073709551615", format: .decimal)?.hex == "FFFFFFFFFFFFFFFF")
        // Wiegand: a facility code and a card number, however many separators stand between.
        #expect(CardNumber("111::27706", format: .wiegand26)?.hex == "6F6C3A")
        #expect(CardNumber("111:277060", format: .wiegand26) == nil)
        #expect(CardNumber("1:2:3", format: .wiegand26) == nil)
    }
}
