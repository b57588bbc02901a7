import FootfallCore
import Foundation

/// Everything the server is configured with, read once at the edge (flags and environment)
/// and handed to ``configure(_:_:)``. Nothing deeper reads the environment.
public struct Settings: Sendable {
    public enum DatabaseLocation: Sendable, Equatable {
        /// A SQLite file: the zero-setup default.
        case sqlite(path: String)
        /// A PostgreSQL server; `searchPath` puts the tables in one schema (tests use one each).
        case postgres(url: String, searchPath: String? = nil)
    }

    public var hostname = "127.0.0.1"
    public var port = 8080
    public var database = DatabaseLocation.sqlite(path: "footfall.sqlite")
    /// An admin bearer token accepted besides those made by `footfall admin token`.
    public var adminToken: String?
    /// The base of links the server hands out (member pages); defaults to `http://HOST:PORT`.
    public var publicURL: String?
    /// How often the sweeper looks for visits to close at the latest; it also wakes when one is due.
    public var sweepInterval: TimeInterval = 30
    /// Connections for requests' reads (and the few writes outside the ledger's writer), per
    /// event loop (one loop a core); the writer has one of its own besides.
    public var connectionsPerEventLoop = 4
    /// Whether the ledger writer's thread asks to run ahead of request handling (see
    /// `WriterThread.favour()`): `footfall serve` does. Not the other commands, nor the tests'
    /// servers: it changes a thread of whatever process configures the app, and only a server
    /// under load gains from it. (It was first blamed for a stalled test run; the cause was
    /// Bcrypt checks queued on a shared pool and every test's server starting at once.)
    public var favourWriter = false
    /// Bcrypt's cost for admin passwords: each step doubles the work of a hash and of a sign-in's
    /// check. 12 takes about a quarter of a second a check on one core; the tests' servers use
    /// the lowest (4), as a debug build checks a cost-12 hash in over half a second and a hundred
    /// servers in one process queue their sign-ins on one small pool.
    public var passwordCost = 12
    /// A Wi-Fi visit without traffic for this long is closed at its last activity.
    public var wifiIdleTimeout: TimeInterval = 900
    /// The RADIUS server's UDP ports, on `hostname`; nil: no RADIUS server.
    public var radius: RADIUSPorts?

    public struct RADIUSPorts: Sendable, Equatable {
        /// 0 picks a free port (tests read the one bound from `Application.radius`).
        public var authentication: Int
        public var accounting: Int

        public init(authentication: Int = 1812, accounting: Int = 1813) {
            self.authentication = authentication
            self.accounting = accounting
        }
    }
    public var clock: any WallClock = SystemClock()
    /// `FOOTFALL_METRICS_TOKEN`: when set, `/metrics` asks for it as a bearer token.
    public var metricsToken: String?
    /// ISO 4217 code of the currency pay-as-you-go amounts are in (minor units).
    public var currency = "EUR"

    /// Whether the text is an ISO 4217 code as the setting takes it: three capital letters.
    public static func isCurrencyCode(_ text: String) -> Bool {
        text.count == 3 && text.allSatisfy { $0.isASCII && $0.isUppercase }
    }
    /// `FOOTFALL_SECRET_KEY`: the key PINs and member codes are keyed with, kept out of the
    /// database. Nil on SQLite: a key file beside the database (see `ServerKey`); required on
    /// PostgreSQL, the same for every server.
    public var secretKey: String?
    /// `--retain-days`: visits, failed check-ins and device events older than this many days are
    /// anonymised (at least `Retention.minimumDays`); nil keeps everything.
    public var retainDays: Int?

    public init() {}

    /// Reads `DATABASE_URL`: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite://PATH`,
    /// `sqlite:PATH` or a bare path for SQLite.
    public static func databaseLocation(fromURL url: String) throws(SettingsError) -> DatabaseLocation {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
            let path = String(url.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            return .sqlite(path: path)
        }
        guard !url.isEmpty, !url.contains("://") else {
            throw .invalid(name: "DATABASE_URL", value: redactingPassword(url), expected: "postgres://USER:PASSWORD@HOST:PORT/DB or a SQLite file path")
        }
        return .sqlite(path: url)
    }

    var baseURL: String { publicURL ?? "http://\(hostname):\(port)" }

    /// A database URL fit for a message: whatever stands between `://` and the last `@` (user and
    /// password) becomes `***`, even when the URL is too malformed to parse.
    static func redactingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", options: .backwards), scheme.upperBound <= at.lowerBound
        else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at.lowerBound...])
    }
}

/// A setting that cannot be used, named so the operator can fix it.
public enum SettingsError: Error, CustomStringConvertible, Equatable {
    case invalid(name: String, value: String, expected: String)
    case missing(name: String, why: String)

    public var description: String {
        switch self {
        case let .invalid(name, value, expected): "\(name)=\(value) is not valid: expected \(expected)."
        case let .missing(name, why): "\(name) must be set: \(why)."
        }
    }
}
