import Fluent
import Foundation
import Vapor

/// The admin panel's webhooks: subscribe an endpoint (its secret shown once), switch it off and
/// on, ping it, and read its deliveries with a button to send one again. The same functions as
/// the API's.
struct AdminWebhooksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "webhooks").grouped(AdminPageAuth())
        admin.get { try await list($0, status: .ok, message: nil) }
        admin.post(use: create)
        admin.get(":webhookId") { try await deliveries($0, message: nil) }
        admin.post(":webhookId", "active", use: switchOnOrOff)
        admin.post(":webhookId", "ping") { request in
            try await WebhooksController.ping(WebhooksController.find(request), for: request)
            return try await deliveries(request, message: .good("Ping queued."))
        }
        admin.post(":webhookId", "deliveries", ":deliveryId", "redeliver") { request in
            try await WebhooksController.redeliver(hook: WebhooksController.find(request), deliveryId: Check.uuid(request, "deliveryId"),
                                                   for: request)
            return try await deliveries(request, message: .good("Queued to be sent again."))
        }
    }

    struct SubscribeForm: Content {
        var url: String
        var events: [String]?
        var locationIds: [String]?
        var description: String?
    }

    func create(request: Request) async throws -> Response {
        let form = try request.content.decode(SubscribeForm.self)
        return try await AdminPage.refusals(request, render: { try await list(request, status: .ok, message: $0) }) {
            let description = (form.description ?? "").trimmingCharacters(in: .whitespaces)
            let input = WebhookInput(url: form.url, events: form.events ?? [],
                                     locationIds: try (form.locationIds ?? []).map { try FormField.uuid($0, "locationIds") },
                                     description: description.isEmpty ? .absent : .value(description), active: nil)
            let (_, secret) = try await WebhooksController.create(input, for: request)
            return try await list(request, status: .created, message: .good(
                "Subscribed. Its signing secret, shown this once: \(secret) — give it to the receiving system now."))
        }
    }

    struct ActiveForm: Content { var active: String }

    func switchOnOrOff(request: Request) async throws -> Response {
        let hook = try await WebhooksController.find(request)
        hook.active = try request.content.decode(ActiveForm.self).active == "true"
        try await WebhooksController.save(hook, for: request)
        return try await list(request, status: .ok, message: .good(hook.active ? "Switched on." : "Switched off."))
    }

    private func list(_ request: Request, status: HTTPStatus, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let hooks = try await WebhookModel.query(on: request.db).sort(\.$createdAt).all()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: status, html: AdminPage.webhooks(hooks, locations: locations, message: message, user: current.user,
                                                                           csrf: current.session.csrfToken))
    }

    private func deliveries(_ request: Request, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let hook = try await WebhooksController.find(request)
        let rows = try await WebhookDeliveryModel.query(on: request.db).filter(\.$webhookId == (try hook.requireID()))
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(200).all()
        return AdminPage.response(status: .ok, html: AdminPage.deliveries(hook, rows.map(DeliveryDTO.init), message: message, user: current.user,
                                                                          csrf: current.session.csrfToken))
    }
}

extension AdminPage {
    static func webhooks(_ hooks: [WebhookModel], locations: [LocationModel], message: Message?, user: AdminUserModel, csrf: String) -> String {
        let names = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        return signedIn(title: "Webhooks", user: user, csrf: csrf) {
            message?.node
            div(.class("table")) {
                table(.id("webhooks")) {
                    tr { th { "Endpoint" }; th { "Events" }; th { "Locations" }; th { "State" }; th() }
                    for hook in hooks {
                        tr {
                            td {
                                a(.href("/admin/webhooks/\(hook.id!)")) { hook.url }
                                if let description = hook.description { p(.class("muted")) { description } }
                            }
                            td { hook.events.joined(separator: ", ") }
                            td { hook.locationIds.isEmpty ? "All" : hook.locationIds.compactMap { names[$0] }.joined(separator: ", ") }
                            td { hook.active ? "on" : "off" }
                            td {
                                postForm("/admin/webhooks/\(hook.id!)/active", csrf: csrf) {
                                    input(.type("hidden"), .name("active"), .value(hook.active ? "false" : "true"))
                                    button(.class("small"), .type("submit")) { hook.active ? "Switch off" : "Switch on" }
                                }
                                postForm("/admin/webhooks/\(hook.id!)/ping", csrf: csrf) { button(.class("small"), .type("submit")) { "Ping" } }
                            }
                        }
                    }
                }
                if hooks.isEmpty { p(.class("muted")) { "No webhooks yet." } }
            }
            h2 { "Subscribe an endpoint" }
            postForm("/admin/webhooks", csrf: csrf, .class("card setup")) {
                label(.for("url")) { "URL (http or https; redirects are not followed)" }
                input(.id("url"), .name("url"), .type("url"), .required, .placeholder("https://billing.example.com/footfall"))
                fieldset {
                    legend { "Events" }
                    for event in WebhookEvent.allCases {
                        label(.class("check")) { input(.type("checkbox"), .name("events[]"), .value(event.rawValue)); " \(event.rawValue)" }
                    }
                }
                fieldset {
                    legend { "Locations (none ticked: all)" }
                    for location in locations {
                        label(.class("check")) { input(.type("checkbox"), .name("locationIds[]"), .value(location.id!.uuidString)); " \(location.name)" }
                    }
                }
                label(.for("description")) { "Description" }
                input(.id("description"), .name("description"))
                button(.class("primary"), .type("submit")) { "Subscribe" }
            }
        }
    }

    static func deliveries(_ hook: WebhookModel, _ deliveries: [DeliveryDTO], message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Deliveries to \(hook.url)", user: user, csrf: csrf) {
            message?.node
            p { a(.href("/admin/webhooks")) { "All webhooks" }; " · \(hook.active ? "on" : "switched off")" }
            div(.class("table")) {
                table(.id("deliveries")) {
                    tr { th { "Event" }; th { "Status" }; th { "Tries" }; th { "Last answer" }; th { "Next try" }; th() }
                    for delivery in deliveries {
                        tr {
                            td { "\(delivery.type) · "; code { delivery.webhookId } }
                            td { delivery.status }
                            td { String(delivery.attempts) }
                            td { delivery.lastResponseStatus.map(String.init) ?? delivery.lastError ?? "" }
                            td { delivery.nextAttemptAt.map(RFC3339.format) ?? "" }
                            td {
                                postForm("/admin/webhooks/\(hook.id!)/deliveries/\(delivery.id)/redeliver", csrf: csrf) {
                                    button(.class("small"), .type("submit")) { "Send again" }
                                }
                            }
                        }
                    }
                }
                if deliveries.isEmpty { p(.class("muted")) { "Nothing sent yet." } }
            }
        }
    }
}
