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

/// The server key is not the one this database's PINs were stored under.
struct ServerKeyMismatch: Error, CustomStringConvertible {
    var description: String {
        "FOOTFALL_SECRET_KEY (or the key file beside the SQLite database) is not the key this database's PINs were stored with; "
            + "start with the key it was first used with."
    }
}

extension ServerSecretModel {
    /// An HMAC of a fixed text under the server key: tells whether a later start has the same key.
    static let serverKeyCheck = "server_key_check"
}
