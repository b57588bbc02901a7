import Foundation

extension UUID {
    /// A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest
    /// random. Rows written one after another get ids that sort one after another, so each
    /// insert into an id index lands on the same last page instead of a random one — for the
    /// ledger's append-only tables that is several pages fewer to write at every commit.
    static func timeOrdered(at time: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000))
        // 74 random bits from the system's generator (`UUID()` opens /dev/urandom for each one).
        var generator = SystemRandomNumberGenerator()
        let a: UInt64 = generator.next(), b: UInt64 = generator.next()
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (byte(milliseconds, 40), byte(milliseconds, 32), byte(milliseconds, 24), byte(milliseconds, 16),
                           byte(milliseconds, 8), byte(milliseconds, 0),
                           0x70 | (byte(a, 0) & 0x0F), byte(a, 8),  // version 7
                           0x80 | (byte(b, 0) & 0x3F), byte(b, 8),  // variant 10
                           byte(b, 16), byte(b, 24), byte(b, 32), byte(b, 40), byte(b, 48), byte(b, 56)))
    }
}
