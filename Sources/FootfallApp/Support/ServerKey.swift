import Crypto
import Fluent
import Foundation
import SQLKit

/// The server's own secret, kept outside the database: `FOOTFALL_SECRET_KEY`, else (SQLite only)
/// a key file beside the database file, made on first start with mode 0600. PIN digests and
/// member-code keys are keyed with it, so a copy of the database alone gives away no PIN: with
/// only the database's own key, a 4-8 digit PIN is found in seconds.
struct ServerKey: Sendable {
    /// At least this many characters in `FOOTFALL_SECRET_KEY`.
    static let minimumLength = 32

    let value: String

    /// The key these settings name, reading or making the key file where that is where it lives.
    static func resolve(_ settings: Settings) throws -> ServerKey {
        if let key = settings.secretKey {
            guard key.count >= minimumLength else {
                throw SettingsError.invalid(name: "FOOTFALL_SECRET_KEY", value: "<\(key.count) characters>",
                                            expected: "at least \(minimumLength) characters, e.g. from `openssl rand -base64 32`")
            }
            return ServerKey(value: key)
        }
        switch settings.database {
        case .sqlite(let path):
            return ServerKey(value: try keyFile(beside: path))
        case .postgres:
            throw SettingsError.missing(name: "FOOTFALL_SECRET_KEY",
                                        why: "on PostgreSQL every server must be given the same key (e.g. `openssl rand -base64 32`)")
        }
    }

    /// `PATH.key` beside the SQLite file `PATH`: made if there is none (exclusively, mode 0600
    /// from the start, so two commands starting at once on a new install agree on one key), else
    /// read, if only its owner may read it.
    private static func keyFile(beside databasePath: String) throws -> String {
        let path = databasePath + ".key"
        let key = SecretToken.make()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            defer { close(descriptor) }
            let line = Array((key + "\n").utf8)
            guard write(descriptor, line, line.count) == line.count, fsync(descriptor) == 0 else {
                throw SettingsError.invalid(name: "key file \(path)", value: "", expected: "a file the server can write beside the database")
            }
            return key
        }
        guard errno == EEXIST else {
            throw SettingsError.invalid(name: "key file \(path)", value: "", expected: "a file the server can create beside the database")
        }
        let permissions = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard permissions & 0o077 == 0 else {
            throw SettingsError.invalid(name: "key file \(path)", value: String(permissions, radix: 8),
                                        expected: "mode 0600 (readable by its owner only): chmod 600 \(path)")
        }
        // Another process may have made it a moment ago and not written it yet.
        for _ in 0..<20 {
            let stored = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            if stored.count >= minimumLength { return stored }
            usleep(50_000)
        }
        throw SettingsError.invalid(name: "key file \(path)", value: "<too short>", expected: "at least \(minimumLength) characters")
    }

    func keyedDigest(_ value: String) -> String { SecretToken.keyedDigest(value, key: self.value) }
}

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

/// The server key is not the one this database's PINs were stored under.
struct ServerKeyMismatch: Error, CustomStringConvertible {
    var description: String {
        "FOOTFALL_SECRET_KEY (or the key file beside the SQLite database) is not the key this database's PINs were stored with; "
            + "start with the key it was first used with."
    }
}

/// The keys of members' rotating codes: derived from the member link's secret under the server
/// key, so the code's key is neither the link (which may be shared or bookmarked) nor anything a
/// copy of the database holds. A new member link changes the key, so old codes stop working.
struct MemberCodeKeys: Sendable {
    let serverKey: ServerKey

    func totp(memberSecret: String) -> TimeStepCode {
        TimeStepCode(key: Data(HMAC<SHA256>.authenticationCode(for: Data(("member code:" + memberSecret).utf8),
                                                       using: SymmetricKey(data: Data(serverKey.value.utf8)))))
    }
}

extension ServerSecretModel {
    /// An HMAC of a fixed text under the server key: tells whether a later start has the same key.
    static let serverKeyCheck = "server_key_check"
}
