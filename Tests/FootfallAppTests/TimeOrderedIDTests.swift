@testable import FootfallApp
import Foundation
import Testing

@Suite("Time-ordered ids for the ledger's rows")
struct TimeOrderedIDTests {
    private func bytes(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    @Test func laterIdsSortAfterEarlierOnesAsTheDatabaseComparesThem() {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let ids = (0..<50).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.002)) }
        for (earlier, later) in zip(ids, ids.dropFirst()) {
            #expect(bytes(earlier).lexicographicallyPrecedes(bytes(later)))
        }
    }

    @Test func theyAreVersionSevenUUIDsCarryingTheMillisecond() {
        let id = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_795_000_000.123))
        let raw = bytes(id)
        #expect(raw[6] >> 4 == 7)
        #expect(raw[8] >> 6 == 0b10)
        #expect(raw[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_795_000_000_123)
        #expect(id.uuidString.dropFirst(14).first == "7")
    }

    @Test func idsMadeInTheSameMillisecondStillDiffer() {
        let now = Date()
        #expect(Set((0..<10_000).map { _ in UUID.timeOrdered(at: now) }).count == 10_000)
    }
}
