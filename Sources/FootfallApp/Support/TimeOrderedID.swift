import Foundation

extension UUID {
    /// A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest
    /// random. Rows written one after another get ids that sort one after another, so each
    /// insert into an id index lands on the same last page instead of a random one — for the
    /// ledger's append-only tables that is several pages fewer to write at every commit.
    static func timeOrdered(at time: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000))
        var uuid = UUID().uuid  // 122 random bits; the first 48 and the version are replaced
        uuid.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        uuid.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        uuid.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        uuid.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        uuid.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        uuid.5 = UInt8(truncatingIfNeeded: milliseconds)
        uuid.6 = 0x70 | (uuid.6 & 0x0F)
        return UUID(uuid: uuid)
    }
}
