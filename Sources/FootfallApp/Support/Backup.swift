import Fluent
import Foundation
import SQLKit
import Vapor

/// `footfall backup PATH`: a consistent copy of the SQLite database, taken while `serve` keeps
/// writing (SQLite's `VACUUM INTO` reads one snapshot; writers carry on meanwhile). A restore is
/// copying the file back, with the key file beside it, while no server runs.
public enum Backup {
    /// What a backup wrote, for the operator.
    public struct Written: Sendable {
        public var path: String
        public var bytes: Int
        /// The server key the copy's PINs need, where it is a file (nil: `FOOTFALL_SECRET_KEY`).
        public var keyFile: String?
    }

    public enum Refusal: Error, CustomStringConvertible {
        case exists(String)
        case cannotCreate(String, String)
        case noDatabase(String)
        case postgres

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists already; a backup never overwrites. Choose a new name or remove it first."
            case .cannotCreate(let path, let reason): "cannot create \(path): \(reason)."
            case .noDatabase(let path): "there is no database at \(path) to back up (check --database or FOOTFALL_DATABASE)."
            case .postgres:
                "footfall backup copies SQLite databases. On PostgreSQL use pg_dump, e.g. "
                    + "pg_dump --format=custom --file=footfall.dump \"$DATABASE_URL\" (restore with pg_restore), "
                    + "and keep FOOTFALL_SECRET_KEY with it."
            }
        }
    }

    public static func write(to path: String, from app: Application) async throws -> Written {
        guard case .sqlite(let source) = app.settings.database else { throw Refusal.postgres }
        // Made first, empty and readable by its owner only (it holds personal data); SQLite
        // writes into an empty file. O_EXCL: never another file of that name.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw errno == EEXIST ? Refusal.exists(path) : Refusal.cannotCreate(path, String(cString: strerror(errno))) }
        close(descriptor)
        do {
            try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: path)").run()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        // VACUUM INTO does not sync what it wrote: a backup that a power cut can take is none.
        let written = open(path, O_RDONLY | O_CLOEXEC)
        if written >= 0 { fsync(written); close(written) }
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        return Written(path: path, bytes: bytes, keyFile: app.settings.secretKey == nil ? source + ".key" : nil)
    }
}
