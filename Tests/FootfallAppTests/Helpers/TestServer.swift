@testable import FootfallApp
import FootfallCore
import NIOConcurrencyHelpers
import Foundation
import SQLKit
import Testing
import VaporTesting

let adminToken = "test-admin-token"
let testSecretKey = "test-secret-key-0123456789abcdef-0123456789"
let adminHeaders: HTTPHeaders = ["Authorization": "Bearer \(adminToken)"]

/// The database the suite runs against: PostgreSQL when `FOOTFALL_TEST_DATABASE_URL` is set
/// (scripts/test runs the suite once that way), else a SQLite file.
enum TestDatabase {
    static let postgresURL: String? = ProcessInfo.processInfo.environment["FOOTFALL_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var isPostgres: Bool { postgresURL != nil }

    /// A database of its own for one test: a fresh SQLite file, or a fresh PostgreSQL schema.
    static func fresh() -> Settings.DatabaseLocation {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        if let postgresURL { return .postgres(url: postgresURL, searchPath: name) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("footfall-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return .sqlite(path: folder.appendingPathComponent("\(name).sqlite").path)
    }

    /// A SQLite file that does not exist yet starts as a copy of one migrated once per run. The
    /// migrations were most of a test server's start-up: some hundred servers starting at once
    /// on two cores kept the first tests' answers waiting behind them, past radclient's retries
    /// and the browser's patience. The copy keeps the database's own PIN key but not the check
    /// of a server key: each test's server records its own key, as on a first start.
    static func seed(_ location: Settings.DatabaseLocation) async throws {
        guard case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.copyItem(atPath: try await sqliteTemplate.value, toPath: path)
    }

    private static let sqliteTemplate = Task<String, any Error> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("footfall-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Templates of runs that have ended.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix("template-") {
            if let pid = Int32(name.dropFirst("template-".count).prefix { $0.isNumber }), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
        let path = folder.appendingPathComponent("template-\(getpid()).sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        var settings = Settings()
        settings.database = .sqlite(path: path)
        settings.secretKey = testSecretKey
        do {
            try await configure(app, settings)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DELETE FROM server_secrets WHERE name = \(bind: ServerSecretModel.serverKeyCheck)").run()
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        // Closing the last connection wrote the log back into the file; a copy of the file alone
        // would lose what a log left beside it held.
        let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        guard log == 0 else { throw TemplateNotCheckpointed(path: path) }
        return path
    }

    private struct TemplateNotCheckpointed: Error { let path: String }

    static func drop(_ location: Settings.DatabaseLocation, using app: Application) async {
        switch location {
        case .sqlite(let path):
            for suffix in ["", "-wal", "-shm", ".key"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case .postgres(_, let schema?):
            try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        case .postgres:
            break
        }
    }
}

/// Runs a test against a real Footfall app on its own database, with a clock the test moves.
func withFootfall(
    clock: ManualClock = ManualClock(at("2026-11-26T09:00:00Z")),
    database: Settings.DatabaseLocation? = nil,
    keepDatabase: Bool = false,
    settings adjust: (inout Settings) -> Void = { _ in },
    test: String = #function, file: String = #fileID,
    _ body: (API) async throws -> Void
) async throws {
    let watch = StuckTests.begin("\(file) \(test)")
    defer { StuckTests.end(watch) }
    let location = database ?? TestDatabase.fresh()
    StuckTests.phase(watch, "seed")
    try await TestDatabase.seed(location)
    let app = try await Application.make(.testing)
    // FOOTFALL_TEST_LOG_LEVEL=debug shows what the server logs while a test runs.
    app.logger.logLevel = ProcessInfo.processInfo.environment["FOOTFALL_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    var settings = Settings()
    settings.database = location
    settings.adminToken = adminToken
    settings.clock = clock
    // PostgreSQL needs the server key given; SQLite makes a key file beside its database.
    if TestDatabase.isPostgres { settings.secretKey = testSecretKey }
    // Every test has a server of its own, and a bare `swift test` starts them all at once
    // (scripts/test twelve at a time): one connection a loop each (plus the writer's) keep them
    // all within the test cluster's connections.
    settings.connectionsPerEventLoop = 1
    settings.passwordCost = 4
    adjust(&settings)
    do {
        StuckTests.phase(watch, "configure")
        try await configure(app, settings)
        StuckTests.detail(watch) { [writer = app.ledger.writer] in
            let step = writer.step.withLockedValue { $0 }
            return "the ledger writer: \(step.name) (\(step.within)), for \(ContinuousClock.now - step.since)"
        }
        StuckTests.phase(watch, "body")
        try await StuckTests.$current.withValue(watch) { try await body(API(app: app, clock: clock)) }
    } catch {
        StuckTests.phase(watch, "cleanup after \(error)")
        if !keepDatabase { await TestDatabase.drop(location, using: app) }
        try? await app.asyncShutdown()
        throw error
    }
    StuckTests.phase(watch, "drop")
    if !keepDatabase { await TestDatabase.drop(location, using: app) }
    StuckTests.phase(watch, "shutdown")
    try await app.asyncShutdown()
}

/// Says on standard error which tests have been in the same phase (configure, body, drop,
/// shutdown) for more than two minutes, once a minute: a test that hangs in a full run
/// (seen twice, never alone) then shows where it waits.
enum StuckTests {
    private struct Entry {
        var name: String
        var phase: String
        var since: ContinuousClock.Instant
        var detail: (@Sendable () -> String)?
    }
    private static let entries = NIOLockedValueBox([UUID: Entry]())
    private static let watcher: Void = {
        Thread.detachNewThread {
            while true {
                Thread.sleep(forTimeInterval: 60)
                let now = ContinuousClock.now
                let stuck = entries.withLockedValue { $0.values.filter { now - $0.since > .seconds(120) } }
                for entry in stuck {
                    let detail = entry.detail.map { "; " + $0() } ?? ""
                    FileHandle.standardError.write(Data("STUCK \(entry.name) in \(entry.phase) for \(now - entry.since)\(detail)\n".utf8))
                }
            }
        }
    }()

    static func begin(_ name: String) -> UUID {
        _ = watcher
        let id = UUID()
        entries.withLockedValue { $0[id] = Entry(name: name, phase: "start", since: .now) }
        return id
    }

    static func phase(_ id: UUID, _ phase: String) {
        entries.withLockedValue { $0[id]?.phase = phase; $0[id]?.since = .now }
    }

    /// Something more to say of a stuck test (what its server waits for).
    static func detail(_ id: UUID, _ detail: @escaping @Sendable () -> String) {
        entries.withLockedValue { $0[id]?.detail = detail }
    }

    static func end(_ id: UUID) { entries.withLockedValue { $0[id] = nil } }

    /// The test running in this task, for `step`.
    @TaskLocal static var current: UUID?

    /// Marks a step inside a test's body, so that a test stuck there says which.
    static func step(_ name: String) {
        if let current { phase(current, "body: \(name)") }
    }
}

func at(_ text: String) -> Date { RFC3339.parse(text)! }

/// Now, or four hours earlier when it is past 21:00 in Berlin, the zone of the tests'
/// locations: a test on a clock that starts near real time and moves on by up to three hours
/// never crosses the locations' midnight cut-off, which closes every open visit.
func nowAwayFromCutOff() -> Date {
    let now = Date()
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
    return calendar.component(.hour, from: now) >= 21 ? now - 4 * 3600 : now
}

/// What the sqlite3 command line prints for one statement on a database file.
func sqlite3(_ path: String, _ statement: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, statement]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A JSON answer, read as a person reading the API would.
struct Reply: Sendable {
    let status: HTTPStatus
    let headers: HTTPHeaders
    let body: String

    var contentType: String? { headers.first(name: .contentType) }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    subscript(key: String) -> Any? { json[key] }
    func string(_ key: String) -> String? { json[key] as? String }
    var id: String { string("id") ?? "" }
    var code: String? { string("code") }
}

/// Calls the app through HTTP with the admin token, unless told otherwise.
struct API: Sendable {
    let app: Application
    let clock: ManualClock

    func request(_ method: HTTPMethod, _ path: String, _ body: [String: any Sendable]? = nil,
                 headers: HTTPHeaders = adminHeaders, rawBody: String? = nil) async throws -> Reply {
        var headers = headers
        var buffer: ByteBuffer?
        if let body {
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        } else if let rawBody {
            buffer = ByteBuffer(string: rawBody)
        }
        if buffer != nil, headers.contentType == nil { headers.contentType = .json }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        return Reply(status: response.status, headers: response.headers, body: response.body.string)
    }

    func get(_ path: String) async throws -> Reply { try await request(.GET, path) }
    func post(_ path: String, _ body: [String: any Sendable] = [:]) async throws -> Reply { try await request(.POST, path, body) }
    func patch(_ path: String, _ body: [String: any Sendable]) async throws -> Reply { try await request(.PATCH, path, body) }
    func delete(_ path: String) async throws -> Reply { try await request(.DELETE, path) }

    // Fixtures, made through the API as an operator would.

    func location(_ body: [String: any Sendable] = [:]) async throws -> String {
        let reply = try await post("/api/v1/locations", ["name": "Mitte", "timeZone": "Europe/Berlin"].merging(body) { $1 })
        #expect(reply.status == .created, "\(reply.body)")
        return reply.id
    }

    func plan(_ body: [String: any Sendable] = [:]) async throws -> String {
        let reply = try await post("/api/v1/plans", ["name": "Flex"].merging(body) { $1 })
        #expect(reply.status == .created, "\(reply.body)")
        return reply.id
    }

    func customer(planId: String? = nil, _ body: [String: any Sendable] = [:]) async throws -> String {
        var fields: [String: any Sendable] = ["name": "Ada Lovelace", "email": "ada-\(UUID().uuidString.prefix(8))@example.com"]
        if let planId { fields["planId"] = planId }
        let reply = try await post("/api/v1/customers", fields.merging(body) { $1 })
        #expect(reply.status == .created, "\(reply.body)")
        return reply.id
    }

    func pass(_ customer: String, _ body: [String: any Sendable]) async throws -> String {
        let reply = try await post("/api/v1/customers/\(customer)/passes", body)
        #expect(reply.status == .created, "\(reply.body)")
        return reply.id
    }

    func checkIn(_ customer: String, at location: String, time: String? = nil) async throws -> Reply {
        var body: [String: any Sendable] = ["customerId": customer, "locationId": location]
        if let time { body["at"] = time }
        return try await post("/api/v1/check-ins", body)
    }
}

extension API {
    /// Serves the app on a free loopback port for the body, for clients outside the process
    /// (a browser, curl); the server is shut down afterwards, whatever the body does.
    func withServer(_ body: (Int) async throws -> Void) async throws {
        var port: Int?
        for _ in 0..<20 where port == nil {
            let candidate = Int.random(in: 40000...49999)
            if (try? await app.server.start(address: .hostname("127.0.0.1", port: candidate))) != nil { port = candidate }
        }
        guard let port else { throw ServerError("no free port for the test server") }
        do {
            try await body(port)
        } catch {
            StuckTests.step("stopping the test server after \(error)")
            app.ledger.live.finish()
            await app.server.shutdown()
            throw error
        }
        StuckTests.step("stopping the test server")
        app.ledger.live.finish()
        await app.server.shutdown()
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
