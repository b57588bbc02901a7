import FootfallCore
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// When each credential was last accepted at each device, as the double-tap rule asks: on
/// SQLite remembered by the ledger's writer rather than read from an index.
///
/// On SQLite the writer is the only one writing (one server to a database file), so every
/// accepted tap passes through it. It remembers those stamped in the last `kept` or so, told to
/// it as each turn commits (`PendingEvents.acceptedTap`), and reads the stored ones at its first
/// batch of device events. An index on (device, credential, time) answered the same question at
/// the cost of a page written at a random place in it for every tap, a fifth of what a tap wrote
/// (BENCHMARKS.md, "Session 31"). Only a batch reaching back further than is remembered (a
/// reader's upload a day or two late) reads the rest from `device_events` by time. PostgreSQL keeps
/// the index and reads it: several servers write there, and none of them sees every tap.
final class RecentTaps: Sendable {
    /// An accepted tap, as stored.
    struct Tap: Sendable {
        var key: DeviceEventBatch.DeviceKey
        var at: Date
    }

    /// Taps stamped up to this long before now are answered from memory: a day, so that only a
    /// reader uploading what it stored offline for longer reads the table. The memory holds one
    /// entry for each credential used at each device in the last day or two.
    static let kept: TimeInterval = 86_400

    private struct Memory {
        /// Every accepted tap stamped at or after this is remembered.
        var from: Date
        /// The latest of them for each credential at each device.
        var latest: [DeviceEventBatch.DeviceKey: Date]
    }

    /// Nil until the writer's first batch of device events reads what is stored.
    private let memory = NIOLockedValueBox<Memory?>(nil)

    /// The latest accepted tap stamped at or after `since` of each of these credentials at its
    /// device, as committed before this turn (the batch itself keeps track of its own taps); none
    /// where there is none. Called only in the writer's turns, one at a time.
    func latest(of keys: [DeviceEventBatch.DeviceKey], since: Date, now: Date,
                on db: any SQLDatabase) async throws -> [DeviceEventBatch.DeviceKey: Date] {
        if memory.withLockedValue({ $0 == nil }) {
            let from = now - Self.kept
            let stored = try await Self.stored(from: from, until: nil, of: nil, on: db)
            memory.withLockedValue { $0 = Memory(from: from, latest: stored) }
        }
        var found: [DeviceEventBatch.DeviceKey: Date] = [:]
        var unknown: [DeviceEventBatch.DeviceKey] = []
        let from = memory.withLockedValue { memory -> Date in
            guard var kept = memory else { preconditionFailure("read above") }
            // What is well past is forgotten, once every `kept`.
            if now - Self.kept > kept.from + Self.kept {
                kept.from = now - Self.kept
                kept.latest = kept.latest.filter { $0.value >= kept.from }
            }
            for key in Set(keys) {
                if let at = kept.latest[key] {
                    if at >= since { found[key] = at }
                } else {
                    unknown.append(key)
                }
            }
            memory = kept
            return kept.from
        }
        // A credential with no tap remembered, in a batch reaching back further than memory:
        // its taps before that are read, by time.
        if since < from, !unknown.isEmpty {
            found.merge(try await Self.stored(from: since, until: from, of: unknown, on: db)) { remembered, _ in remembered }
        }
        return found
    }

    /// A turn's accepted taps, once it has committed.
    func remember(_ taps: [Tap]) {
        guard !taps.isEmpty else { return }
        memory.withLockedValue { memory in
            // Before the first read, what is stored is read then.
            guard let from = memory?.from else { return }
            for tap in taps where tap.at >= from {
                let before = memory?.latest[tap.key] ?? .distantPast
                memory?.latest[tap.key] = max(before, tap.at)
            }
        }
    }

    /// The latest stored accepted tap of each credential at each device (of `keys`, if given)
    /// among those stamped from `from` until before `until`, read through the index on time: the
    /// more time between them, the more it reads, whatever the keys.
    private static func stored(from: Date, until: Date?, of keys: [DeviceEventBatch.DeviceKey]?,
                               on db: any SQLDatabase) async throws -> [DeviceEventBatch.DeviceKey: Date] {
        let rows = try await db.raw("""
            SELECT device_id, credential_key, MAX(at) AS at FROM device_events
            WHERE at >= \(bind: from) \(until.map { SQLQueryString("AND at < \(bind: $0)") } ?? "")
              \(keys.map { keys in
                  SQLQueryString("AND (device_id, credential_key) IN (VALUES \(SQLList(keys.map { SQLGroupExpression([SQLBind($0.device), SQLBind($0.text)]) })))")
              } ?? "")
              AND credential_key IS NOT NULL AND result IN (\(binds: EarlierAnswersAndTaps.accepted))
            GROUP BY device_id, credential_key
            """).all()
        var latest: [DeviceEventBatch.DeviceKey: Date] = [:]
        for row in rows {
            let key = DeviceEventBatch.DeviceKey(device: try row.decode(column: "device_id", as: UUID.self),
                                                 text: try row.decode(column: "credential_key", as: String.self))
            latest[key] = try row.decode(column: "at", as: Date.self)
        }
        return latest
    }
}
