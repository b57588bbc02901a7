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
        case postgres

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists already; a backup never overwrites. Choose a new name or remove it first."
            case .postgres:
                "footfall backup copies SQLite databases. On PostgreSQL use pg_dump, e.g. "
                    + "pg_dump --format=custom --file=footfall.dump \"$DATABASE_URL\" (restore with pg_restore), "
                    + "and keep FOOTFALL_SECRET_KEY with it."
            }
        }
    }

    public static func write(to path: String, from app: Application) async throws -> Written {
        guard case .sqlite(let source) = app.settings.database else { throw Refusal.postgres }
        guard !FileManager.default.fileExists(atPath: path) else { throw Refusal.exists(path) }
        try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: path)").run()
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        return Written(path: path, bytes: bytes, keyFile: app.settings.secretKey == nil ? source + ".key" : nil)
    }
}
