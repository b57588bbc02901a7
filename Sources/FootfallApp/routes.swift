import Fluent
import Vapor

func routes(_ app: Application) throws {
    app.get("healthz") { request async throws -> Response in
        _ = try await LocationModel.query(on: request.db).count()
        return try HealthDTO(status: "ok").response(status: .ok)
    }
    app.get("openapi.json") { _ in OpenAPIDocument.response() }
    try app.register(collection: MetricsController())

    try app.register(collection: PagesController())
    try app.register(collection: AssetsController())
    try app.register(collection: AdminPagesController())
    try app.register(collection: AdminSetupController())
    try app.register(collection: AdminVisitorsController())
    try app.register(collection: AdminWebhooksController())
    try app.grouped("api", "v1").register(collection: DeviceEventsController())
    try app.grouped("api", "v1").register(collection: DoorWebhooksController())

    let admin = app.grouped("api", "v1").grouped(AdminAuth())
    try admin.register(collection: LocationsController())
    try admin.register(collection: PlansController())
    try admin.register(collection: CustomersController())
    try admin.register(collection: CustomerCredentialsController())
    try admin.register(collection: VisitorTokensController())
    try admin.register(collection: DevicesController())
    try admin.register(collection: CheckInsController())
    try admin.register(collection: ReportsController())
    try admin.register(collection: ChargesController())
    try admin.register(collection: ExportsController())
    try admin.register(collection: ImportsController())
    try admin.register(collection: EventStreamController())
    try admin.register(collection: WebhooksController())
}

struct HealthDTO: WireObject {
    var status: String
}
