import Crypto
import Fluent
import Foundation
import SQLKit

/// How PINs are stored: HMAC-SHA256 under the database's own key (`server_secrets.pin_key`),
/// then under the server key. The inner digest is what PIN hashes were before the server key
/// existed, so existing hashes are moved over without knowing any PIN (see `adopt`).
struct PinHasher: Sendable {
    let databaseKey: String
    let serverKey: ServerKey

    func digest(_ pin: String) -> String { serverKey.keyedDigest(SecretToken.keyedDigest(pin, key: databaseKey)) }

    /// The PIN hasher for this database and server key. The first time a database meets a server
    /// key, every stored PIN hash is wrapped under it and a check value is stored, in one
    /// transaction; a later start with another key fails, naming the setting, instead of
    /// silently refusing every PIN.
    static func adopt(_ key: ServerKey, on db: any Database) async throws -> PinHasher {
        do {
            return try await adoptOnce(key, on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another server adopted a key at the same moment: its check is there now.
            return try await adoptOnce(key, on: db)
        }
    }

    private static func adoptOnce(_ key: ServerKey, on db: any Database) async throws -> PinHasher {
        let check = key.keyedDigest("footfall server key check")
        return try await db.transaction { db in
            let databaseKey = try await ServerSecretModel.value(ServerSecretModel.pinKey, on: db)
            if let stored = try await ServerSecretModel.find(ServerSecretModel.serverKeyCheck, on: db) {
                guard SecretToken.constantTimeEquals(stored.value, check) else { throw ServerKeyMismatch() }
                return PinHasher(databaseKey: databaseKey, serverKey: key)
            }
            try await ServerSecretModel(name: ServerSecretModel.serverKeyCheck, value: check).create(on: db)
            for customer in try await CustomerModel.query(on: db).filter(\.$pinHash != nil).all() {
                customer.pinHash = customer.pinHash.map(key.keyedDigest)
                try await customer.update(on: db)
            }
            return PinHasher(databaseKey: databaseKey, serverKey: key)
        }
    }
}
