import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import FootfallCore
import SQLKit
import Vapor

/// Builds the whole server: database and migrations, middleware, routes. `footfall serve`,
/// the other commands and the tests all call this, each with their own settings.
public func configure(_ app: Application, _ settings: Settings) async throws {
    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    // Vapor's own request counters and timers go to swift-metrics' process-wide system, which
    // this server never bootstraps (its metrics are `FootfallMetrics`, one registry an
    // application): made and dropped on every request, they cost about 3 % of a card event's
    // request handling (`perf`, BENCHMARKS.md, "Session 29").
    app.http.server.configuration.reportMetrics = false
    app.settings = settings
    app.passwords.use(.bcrypt(cost: settings.passwordCost))

    // SQLite's calls block a thread each; more threads than cores keep the ledger's writer from
    // queueing behind readers.
    app.threadPool = NIOThreadPool(numberOfThreads: max(8, System.coreCount * 4))

    app.databases.use(try databaseConfiguration(settings.database, connectionsPerEventLoop: settings.connectionsPerEventLoop), as: .main, isDefault: true)
    let isPostgres = if case .postgres = settings.database { true } else { false }
    let writer = WriterDatabase(try databaseConfiguration(settings.database, connectionsPerEventLoop: 1), postgres: isPostgres,
                                on: app.eventLoopGroup)
    app.lifecycle.use(writer)
    if settings.favourWriter, await writer.thread.favour() >= 0 {
        app.logger.info("The ledger writer runs at normal priority: allowing it nice \(WriterThread.favouredNice) (systemd LimitNICE=\(WriterThread.favouredNice), or CAP_SYS_NICE) keeps answers quick when the cores are busy.")
    }
    try await prepareDatabase(app, settings.database)
    app.migrations.add(allMigrations)
    try await app.autoMigrate()
    let serverKey = try ServerKey.resolve(settings)
    let pins = try await PinHasher.adopt(serverKey, on: app.db)

    ContentConfiguration.global.use(encoder: RFC3339.apiEncoder, for: .json)
    ContentConfiguration.global.use(decoder: TextOnlyJSONDecoder.api, for: .json)
    ContentConfiguration.global.use(decoder: URLEncodedFormDecoder(configuration: .init(dateDecodingStrategy: .custom(RFC3339.decodeDate))),
                                    for: .urlEncodedForm)

    app.middleware = Middlewares()
    app.middleware.use(HTTPMetricsMiddleware())
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(TextGuardMiddleware())
    app.routes.defaultMaxBodySize = "64kb"

    app.ledger = Ledger(database: app.db, writer: writer.database(logger: app.logger), on: writer.thread,
                        clock: settings.clock, logger: app.logger, wifiIdleTimeout: settings.wifiIdleTimeout,
                        pins: pins, memberCodes: MemberCodeKeys(serverKey: serverKey), currency: settings.currency)
    try await app.ledger.countPeopleIn()
    app.webhookDeliverer = WebhookDeliverer(database: app.db, writer: app.ledger.writer, clock: settings.clock, logger: app.logger, metrics: app.ledger.metrics,
                                            outbox: app.ledger.outbox, eventLoopGroup: app.eventLoopGroup)
    app.lifecycle.use(WebhookClientShutdown())
    app.signInThrottle = SignInThrottle()
    try routes(app)
}

extension DatabaseID {
    static let main = DatabaseID(string: "footfall")
    /// The ledger writer's own connection (see `LedgerWriter` and `WriterDatabase`), apart from
    /// the pool requests read on. SQLite drops a connection's page cache whenever another
    /// connection has written since its last transaction; with one connection doing all the
    /// ledger's writes, the indexes its turns touch stay cached from one turn to the next, and a
    /// long report holding a pooled connection never decides which connection the writer gets.
    static let ledger = DatabaseID(string: "footfall-ledger")
}

private func databaseConfiguration(_ location: Settings.DatabaseLocation, connectionsPerEventLoop: Int) throws -> DatabaseConfigurationFactory {
    switch location {
    case .sqlite(let path):
        return .sqlite(.file(path), maxConnectionsPerEventLoop: connectionsPerEventLoop)
    case .postgres(let url, let searchPath):
        // The driver's own error would show the URL, password and all.
        guard var configuration = try? SQLPostgresConfiguration(url: url) else {
            throw SettingsError.invalid(name: "DATABASE_URL", value: Settings.redactingPassword(url),
                                        expected: "postgres://USER:PASSWORD@HOST:PORT/DB")
        }
        if let searchPath { configuration.searchPath = [searchPath] }
        return .postgres(configuration: configuration, maxConnectionsPerEventLoop: connectionsPerEventLoop)
    }
}

/// What each database needs before the migrations: SQLite writes ahead to a log, so readers
/// never wait for the writer, and the log is copied back beside the writer; PostgreSQL tests get
/// a schema of their own.
private func prepareDatabase(_ app: Application, _ location: Settings.DatabaseLocation) async throws {
    let sql = app.db as! any SQLDatabase
    switch location {
    case .sqlite:
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        app.lifecycle.use(WALCheckpointer())
    case .postgres(_, let searchPath?):
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: searchPath)").run()
    case .postgres:
        break
    }
}

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = Settings }
    private struct LedgerKey: StorageKey { typealias Value = Ledger }
    private struct SignInThrottleKey: StorageKey { typealias Value = SignInThrottle }

    var settings: Settings {
        get { storage[SettingsKey.self] ?? Settings() }
        set { storage[SettingsKey.self] = newValue }
    }

    /// Wrong admin passwords, per email and per client address.
    var signInThrottle: SignInThrottle {
        get { storage[SignInThrottleKey.self]! }
        set { storage[SignInThrottleKey.self] = newValue }
    }

    /// The check-in ledger: admission, check-out and automatic closing.
    public var ledger: Ledger {
        get { storage[LedgerKey.self]! }
        set { storage[LedgerKey.self] = newValue }
    }

    /// The ledger, if `configure` got as far as making it.
    var configuredLedger: Ledger? { storage[LedgerKey.self] }
}

extension Request {
    var ledger: Ledger { application.ledger }
    var clock: any WallClock { application.settings.clock }
}
