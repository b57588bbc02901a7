import FluentKit
import FootfallCore
import Foundation
import NIOConcurrencyHelpers

/// A small map whose entries are trusted for `lifetime` seconds. The server invalidates it on
/// its own changes; the lifetime bounds how long another server's change can go unseen.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = NIOLockedValueBox([Key: (value: Value, expires: ContinuousClock.Instant)]())
    private let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    func value(for key: Key) -> Value? {
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > .now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func store(_ value: Value, for key: Key) {
        entries.withLockedValue { entries in
            if entries.count > 100_000 { entries.removeAll() }
            entries[key] = (value, .now + lifetime)
        }
    }

    func removeAll() { entries.withLockedValue { $0.removeAll() } }

    /// The cached value, or the loaded one (stored when there is one).
    func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        if let cached = value(for: key) { return cached }
        guard let loaded = try await load() else { return nil }
        store(loaded, for: key)
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
