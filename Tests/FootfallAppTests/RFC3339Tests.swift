@testable import FootfallApp
import Foundation
import Testing
import TestSupport

/// Times in answers are written by hand, from the count of days; they must be the text the
/// format style writes, or a replayed answer and the events stream would disagree with the API.
@Suite("RFC 3339 times")
struct RFC3339Tests {
    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// What `RFC3339.format` wrote before it was written by hand.
    private static func formatStyle(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds - seconds.rounded(.down) >= 0.0005 ? fractional.format(date) : whole.format(date)
    }

    @Test func everyTimeIsTheFormatStylesText() {
        var generator = SeededGenerator.fromEnvironment()
        let range = RFC3339.accepted.lowerBound.timeIntervalSince1970..<RFC3339.accepted.upperBound.timeIntervalSince1970
        var times: [Double] = [range.lowerBound, range.upperBound - 0.001, range.upperBound - 1,
                               951_782_400, 951_868_799.9995, 1_709_164_800,  // 29 February 2000, 2024
                               1_795_000_000.0004, 1_795_000_000.0005, 1_795_000_000.9995, 1_795_000_000.99999, 1_795_000_000.123]
        for _ in 0..<20_000 {
            let second = Double(Int.random(in: Int(range.lowerBound)..<Int(range.upperBound), using: &generator))
            times.append(second)
            times.append(second + Double(Int.random(in: 0..<1_000, using: &generator)) / 1_000)
            times.append(Double.random(in: range, using: &generator))
        }
        // Times reach answers made three ways: from seconds since 1970 (the database), from
        // seconds since 2001 (`Date()`, arithmetic on dates) and parsed from requests. The first
        // two meet only where seconds since 2001 come out as whole as seconds since 1970, so
        // the second is drawn on its own, with digits below the millisecond.
        let sinceReference = range.lowerBound - Date.timeIntervalBetween1970AndReferenceDate..<range.upperBound - Date.timeIntervalBetween1970AndReferenceDate
        var dates: [Date] = []
        for seconds in times {
            dates.append(Date(timeIntervalSince1970: seconds))
            dates.append(Date(timeIntervalSinceReferenceDate: Double.random(in: sinceReference, using: &generator)))
            if let parsed = RFC3339.parse(Self.fractional.format(Date(timeIntervalSince1970: seconds))) { dates.append(parsed) }
        }
        dates += [RFC3339.parse("2011-04-28T09:17:12.121Z")!, RFC3339.parse("2026-12-02T03:00:00.999+01:00")!]
        var mismatches: [String] = []
        for date in dates where RFC3339.format(date) != Self.formatStyle(date) {
            mismatches.append("\(date.timeIntervalSinceReferenceDate): \(RFC3339.format(date)) against \(Self.formatStyle(date))")
        }
        #expect(mismatches.isEmpty, "seed \(generator.seed): \(mismatches.prefix(5))")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_000_000.25)) == "2026-11-18T11:06:40.250Z")
    }

    /// Outside the years Footfall takes, the format style still writes it.
    @Test func timesOutsideTheAcceptedYearsAreStillWritten() {
        for date in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 4_200_000_000.5), Date(timeIntervalSince1970: -86_400)] {
            #expect(RFC3339.format(date) == Self.formatStyle(date))
        }
    }
}
