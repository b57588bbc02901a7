import Fluent
import SQLKit

extension Database {
    /// Creates a plain index; Fluent's schema builder only makes unique constraints.
    func index(_ name: String, on table: String, columns: String...) async throws {
        let builder = (self as! any SQLDatabase).create(index: name).on(table)
        for column in columns { _ = builder.column(column) }
        try await builder.run()
    }
}

/// Every migration, in the order they run. Never edit one that has landed; add a new one.
let allMigrations: [any Migration] = [
    CreateLocationsAndPlans(),
    CreateCustomers(),
    CreateDevices(),
    CreateCheckIns(),
    CreateAdministration(),
    CreateDeviceEvents(),
    AddWifiSessions(),
    CreateAdminUsers(),
    AddUnknownCardNumbers(),
    CoverReportReads(),
    IndexOnlySetPassesAndSessions(),
    AddGuessLimitsAndRADIUSAuthenticators(),
    AddAnonymisedPassSeconds(),
    AddAllowancesVisitorsAndCharges(),
    CreateWebhooks(),
    AddWebhookSending(),
    AddEntitlementEnds(),
    NarrowTapIndexOnSQLite(),
]
