import ArgumentParser
import FootfallApp
import Foundation
import Vapor

/// The `footfall` command: parses the command line into ``Settings`` and hands over to FootfallApp.
@main
struct Footfall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footfall",
        abstract: "A self-hosted check-in server for coworking spaces.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Admin.self, BackupCommand.self, ExportCommand.self, ImportCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags every command shares: where the database is.
struct DatabaseOptions: ParsableArguments {
    @ArgumentParser.Option(help: "SQLite file to use (env FOOTFALL_DATABASE; default footfall.sqlite). DATABASE_URL=postgres://… selects PostgreSQL instead.")
    var database: String?

    func settings() throws -> Settings {
        let environment = ProcessInfo.processInfo.environment
        var settings = Settings()
        if let path = database ?? environment["FOOTFALL_DATABASE"] {
            settings.database = .sqlite(path: path)
        } else if let url = environment["DATABASE_URL"], !url.isEmpty {
            settings.database = try Settings.databaseLocation(fromURL: url)
        }
        settings.adminToken = environment["FOOTFALL_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        settings.publicURL = environment["FOOTFALL_PUBLIC_URL"]
        settings.secretKey = environment["FOOTFALL_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return settings
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API and the sweeper that closes visits.")

    @OptionGroup var databaseOptions: DatabaseOptions
    @ArgumentParser.Option(help: "Address to listen on (env FOOTFALL_HOSTNAME).") var hostname: String?
    @ArgumentParser.Option(help: "HTTP port (env FOOTFALL_PORT).") var port: Int?
    @ArgumentParser.Flag(help: "Load the demo data first (idempotent) and print how to try it.") var demo = false
    @ArgumentParser.Option(help: "RADIUS authentication UDP port (env FOOTFALL_RADIUS_AUTH_PORT).") var radiusAuthPort: Int?
    @ArgumentParser.Option(help: "RADIUS accounting UDP port (env FOOTFALL_RADIUS_ACCT_PORT).") var radiusAcctPort: Int?
    @ArgumentParser.Flag(help: "Do not run the RADIUS server.") var noRadius = false
    @ArgumentParser.Option(help: "ISO 4217 currency of pay-as-you-go rates and charges, in its minor units (env FOOTFALL_CURRENCY; default EUR).")
    var currency: String?
    @ArgumentParser.Option(help: "Seconds without Wi-Fi traffic after which a Wi-Fi visit is closed at its last activity (env FOOTFALL_WIFI_IDLE_TIMEOUT).")
    var wifiIdleTimeout: Int?
    @ArgumentParser.Option(help: "Anonymise visits, failed check-ins and device events older than this many days, at start-up and daily (env FOOTFALL_RETAIN_DAYS; at least 62; default: keep all).")
    var retainDays: Int?

    func run() async throws {
        MallocArenas.limit()
        let environment = ProcessInfo.processInfo.environment
        var settings = try databaseOptions.settings()
        settings.hostname = hostname ?? environment["FOOTFALL_HOSTNAME"] ?? settings.hostname
        if let port = try port ?? environment["FOOTFALL_PORT"].map({ try parsePort($0, "FOOTFALL_PORT") }) { settings.port = port }
        if !noRadius {
            var ports = Settings.RADIUSPorts()
            if let port = try radiusAuthPort ?? environment["FOOTFALL_RADIUS_AUTH_PORT"].map({ try parsePort($0, "FOOTFALL_RADIUS_AUTH_PORT") }) {
                ports.authentication = port
            }
            if let port = try radiusAcctPort ?? environment["FOOTFALL_RADIUS_ACCT_PORT"].map({ try parsePort($0, "FOOTFALL_RADIUS_ACCT_PORT") }) {
                ports.accounting = port
            }
            settings.radius = ports
        }
        let idleText = environment["FOOTFALL_WIFI_IDLE_TIMEOUT"]
        if let seconds = try wifiIdleTimeout ?? idleText.map({ text in
            guard let seconds = Int(text) else {
                throw SettingsError.invalid(name: "FOOTFALL_WIFI_IDLE_TIMEOUT", value: text, expected: "a number of seconds from 60 to 86400")
            }
            return seconds
        }) {
            guard (60...86_400).contains(seconds) else {
                throw SettingsError.invalid(name: "--wifi-idle-timeout", value: String(seconds), expected: "a number of seconds from 60 to 86400")
            }
            settings.wifiIdleTimeout = TimeInterval(seconds)
        }
        if let text = retainDays.map(String.init) ?? environment["FOOTFALL_RETAIN_DAYS"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let days = Int(text), (Retention.minimumDays...36_500).contains(days) else {
                throw SettingsError.invalid(name: "--retain-days", value: text,
                                            expected: "a number of days from \(Retention.minimumDays) (shorter would reach into this month's plan usage) to 36500")
            }
            settings.retainDays = days
        }
        settings.favourWriter = true
        settings.metricsToken = environment["FOOTFALL_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let code = currency ?? environment["FOOTFALL_CURRENCY"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard Settings.isCurrencyCode(code) else {
                throw SettingsError.invalid(name: "--currency", value: code, expected: "an ISO 4217 code such as EUR, USD or GBP")
            }
            settings.currency = code
        }
        try await withApplication(settings) { app in
            if demo {
                let token = try await DemoData.load(into: app)
                app.logger.notice("Demo data loaded. Try: curl -H 'Authorization: Bearer \(token)' \(settings.baseURLForDisplay)/api/v1/locations")
                app.logger.notice("Admin panel: \(settings.baseURLForDisplay)/admin — sign in as \(DemoData.adminEmail) with password \(DemoData.adminPassword)")
            }
            try await FootfallApp.serve(app)
        }
    }

    private func parsePort(_ text: String, _ name: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw SettingsError.invalid(name: name, value: text, expected: "a port number from 1 to 65535")
        }
        return port
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database tables, then exit.")
    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        try await withApplication(try databaseOptions.settings()) { _ in print("Database is up to date.") }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo spaces, plans, customers and history (idempotent).")
    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        try await withApplication(try databaseOptions.settings()) { app in
            let token = try await DemoData.load(into: app)
            print("Demo data loaded. Demo admin token: \(token)")
            print("Admin panel login: \(DemoData.adminEmail) / \(DemoData.adminPassword)")
        }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the SQLite database to PATH, also while `serve` runs (never overwrites).")
    @OptionGroup var databaseOptions: DatabaseOptions
    @ArgumentParser.Argument(help: "The new file to write.") var path: String

    func run() async throws {
        let settings = try databaseOptions.settings()
        switch settings.database {
        case .postgres: throw Backup.Refusal.postgres
        case .sqlite(let source): guard FileManager.default.fileExists(atPath: source) else { throw Backup.Refusal.noDatabase(source) }
        }
        try await withApplication(settings) { app in
            let written = try await Backup.write(to: path, from: app)
            print("Backup written: \(written.path) (\(written.bytes) bytes).")
            if let keyFile = written.keyFile {
                print("Its PINs need the server key in \(keyFile): keep a copy of that file apart from the backups. "
                      + "To restore, stop the server and copy both back.")
            }
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write customers (in the import's columns, without PINs), check-ins and failed check-ins as CSV files into FOLDER.")
    @OptionGroup var databaseOptions: DatabaseOptions
    @ArgumentParser.Argument(help: "The folder to write into (made if missing; files in it are never overwritten).") var folder: String

    func run() async throws {
        try await withApplication(try databaseOptions.settings()) { app in
            for (file, rows) in try await FolderExport.write(to: folder, from: app).sorted(by: { $0.key < $1.key }) {
                print("\(folder)/\(file): \(rows) rows")
            }
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import from another system.", subcommands: [Customers.self])

    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create and update customers from a CSV file (name,email,kind,plan,active,pin,cards,externalIds,passes), all or nothing.")
        @OptionGroup var databaseOptions: DatabaseOptions
        @ArgumentParser.Argument(help: "The CSV file (UTF-8, a header line).") var file: String
        @ArgumentParser.Flag(help: "Check every line and say what would change; write nothing.") var dryRun = false

        func run() async throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try await withApplication(try databaseOptions.settings()) { app in
                do {
                    let summary = try await CustomerImport.run(text, dryRun: dryRun, in: app)
                    print("\(dryRun ? "Would create" : "Created") \(summary.created), \(dryRun ? "update" : "updated") \(summary.updated), "
                          + "unchanged \(summary.unchanged).")
                } catch let refusal as CustomerImport.Refusal {
                    for problem in refusal.problems { print("line \(problem.line), \(problem.column): \(problem.code): \(problem.detail)") }
                    throw ExitCode(65)
                }
            }
        }
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage admin access.", subcommands: [Token.self, Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an admin panel user, or set a new password for an existing one (signing out their browsers).")
        @OptionGroup var databaseOptions: DatabaseOptions
        @ArgumentParser.Option(help: "The user's email, which they sign in with.") var email: String
        @ArgumentParser.Option(help: "At least 10 characters; stored as a Bcrypt hash.") var password: String
        @ArgumentParser.Option(help: "The name shown in the panel (default: the email).") var name: String?

        func run() async throws {
            try await withApplication(try databaseOptions.settings()) { app in
                let created = try await AdminUsers.create(email: email, password: password, name: name, in: app)
                print(created ? "Admin user \(email) created." : "Admin user \(email): password changed, other sessions signed out.")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an admin API token and print it once.")
        @OptionGroup var databaseOptions: DatabaseOptions
        @ArgumentParser.Option(help: "A name to tell the token apart in the audit log.") var name = "admin"

        func run() async throws {
            try await withApplication(try databaseOptions.settings()) { app in
                print(try await AdminTokens.create(name: name, on: app.db))
            }
        }
    }
}

/// Builds the application for a command and always shuts it down.
func withApplication(_ settings: Settings, _ body: (Application) async throws -> Void) async throws {
    var environment = try Environment.detect(arguments: ["footfall"])
    try LoggingSystem.bootstrap(from: &environment)
    let app = try await Application.make(environment)
    do {
        try await configure(app, settings)
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}
