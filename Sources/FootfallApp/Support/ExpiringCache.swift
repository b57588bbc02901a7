import FluentKit
import FootfallCore
import Foundation
import NIOConcurrencyHelpers

/// A small map whose entries are trusted for `lifetime` seconds. The server invalidates it on
/// its own changes; the lifetime bounds how long another server's change can go unseen.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entries {
        var values: [Key: (value: Value, expires: ContinuousClock.Instant)] = [:]
        /// Counts `removeAll()`s: a value loaded before one is not stored after it.
        var generation = 0
    }

    private let entries = NIOLockedValueBox(Entries())
    private let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    func value(for key: Key) -> Value? {
        entries.withLockedValue { entries in
            guard let entry = entries.values[key] else { return nil }
            guard entry.expires > .now else {
                entries.values[key] = nil
                return nil
            }
            return entry.value
        }
    }

    private func store(_ value: Value, for key: Key, unlessEmptiedSince generation: Int) {
        entries.withLockedValue { entries in
            guard entries.generation == generation else { return }
            if entries.values.count > 100_000 { entries.values.removeAll() }
            entries.values[key] = (value, .now + lifetime)
        }
    }

    func removeAll() {
        entries.withLockedValue { entries in
            entries.values.removeAll()
            entries.generation += 1
        }
    }

    /// The cached value, or the loaded one. The loaded one is stored unless the cache was
    /// emptied while it loaded: it may be what the change that emptied it has just replaced (a
    /// deleted device's key would otherwise work on for another `lifetime`).
    func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        if let cached = value(for: key) { return cached }
        let generation = entries.withLockedValue { $0.generation }
        guard let loaded = try await load() else { return nil }
        store(loaded, for: key, unlessEmptiedSince: generation)
        return loaded
    }
}

/// What every device event looks up on its way to the ledger's writer and seldom changes: the
/// device by its key, its location, the customer's plan. Kept in memory for a few seconds, and
/// dropped whenever this server changes one of them.
final class Lookups: Sendable {
    /// How long another server's change (a deleted device, an edited plan) can go unseen here.
    static let lifetime: Duration = .seconds(10)

    let devices = ExpiringCache<String, DeviceModel>(lifetime: lifetime)
    let locations = ExpiringCache<UUID, KnownLocation>(lifetime: lifetime)
    let plans = ExpiringCache<UUID, PlanModel>(lifetime: lifetime)

    /// The location, from memory or the database.
    func location(_ id: UUID, on db: any Database) async throws -> KnownLocation? {
        try await locations.value(for: id) { try await LocationModel.find(id, on: db).map(KnownLocation.init) }
    }
}

/// A location as the device and Wi-Fi paths use it: the model, and its rules and zone
/// (`LocationModel.rules`: a time zone looked up by name, opening hours parsed) worked out once
/// when it was loaded rather than for every event.
struct KnownLocation: Sendable {
    let model: LocationModel
    let rules: FootfallCore.Location

    init(_ model: LocationModel) {
        self.model = model
        rules = model.rules
    }
}
