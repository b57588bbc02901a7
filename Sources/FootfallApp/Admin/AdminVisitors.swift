import Fluent
import FootfallCore
import Foundation
import Vapor

/// The admin panel's visitors: printed Wi-Fi logins, and the sheet to print them on; and the
/// pay-as-you-go charges of every customer.
struct AdminVisitorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin").grouped(AdminPageAuth())
        admin.get("visitors") { try await visitors($0, status: .ok, form: .init(), message: nil) }
        admin.post("visitors", use: printBatch)
        admin.get("charges", use: charges)
    }

    struct BatchForm: Content, Sendable {
        var label = ""
        var count = "8"
        var minutes = ""
        var validUntil = ""
        var maxDevices = ""
        /// The Wi-Fi network's name, printed on each card.
        var network = ""

        init() {}
    }

    private func visitors(_ request: Request, status: HTTPStatus, form: BatchForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let now = request.clock.now()
        let models = try await AccessTokenModel.query(on: request.db).filter(\.$batchLabel != nil).sort(\.$createdAt, .descending)
            .sort(\.$id, .descending).limit(200).all()
        let tokens = try await AccessTokens.status(of: models, at: now, ledger: request.ledger, on: request.db)
        let names = try await CustomerModel.query(on: request.db).filter(\.$id ~~ models.map(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let zone = try await LocationModel.query(on: request.db).sort(\.$createdAt).first()?.zone.timeZone ?? .gmt
        return AdminPage.response(status: status, html: AdminPage.visitors(tokens, names: names, form: form, zone: zone, message: message,
                                                                           user: current.user, csrf: current.session.csrfToken))
    }

    /// The same batch as `POST /api/v1/visitor-tokens`; the answer is the sheet to print, the
    /// only place the passwords are ever shown.
    func printBatch(request: Request) async throws -> Response {
        let form = try request.content.decode(BatchForm.self)
        return try await AdminPage.refusals(request, render: { try await visitors(request, status: .ok, form: form, message: $0) }) {
            let zone = try await LocationModel.query(on: request.db).sort(\.$createdAt).first()?.zone.timeZone ?? .gmt
            var validUntil: Date?
            if !form.validUntil.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let parsed = AdminPage.parseLocal(form.validUntil, in: zone) else {
                    throw APIError.invalidRequest(field: "validUntil", detail: "is not a date and time.")
                }
                validUntil = parsed
            }
            let input = VisitorBatchInput(label: form.label, count: try FormField.whole(form.count, "count") ?? 0,
                                          minutes: try FormField.whole(form.minutes, "minutes"), validUntil: validUntil,
                                          maxDevices: try FormField.whole(form.maxDevices, "maxDevices"))
            let printed = try await VisitorTokensController.create(input, for: request)
            let network = form.network.trimmingCharacters(in: .whitespaces)
            let response = AdminPage.response(status: .created, html: AdminPage.visitorSheet(printed, network: network.isEmpty ? nil : network, zone: zone))
            // The passwords are on this page only: no cache may keep it.
            response.headers.cacheControl = .init(noStore: true)
            return response
        }
    }

    func charges(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let now = request.clock.now()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        let zone = locations.first?.zone ?? LocalZone(timeZone: .gmt)
        let today = zone.day(of: now)
        let from = (try? request.query.get(String.self, at: "from")).flatMap(LocalDate.init) ?? zone.adding(days: -30, to: today)
        let to = (try? request.query.get(String.self, at: "to")).flatMap(LocalDate.init) ?? today
        let status = (try? request.query.get(String.self, at: "status")).flatMap(ChargesController.Status.init)
        let filter = ChargesController.Filter(from: zone.start(of: from), to: zone.start(of: zone.adding(days: 1, to: to)), status: status)
        let charges = try await ChargesController.charges(filter, now: now, ledger: request.ledger, on: request.db)
        if (try? request.query.get(String.self, at: "format")) == "csv" {
            let response = Response(status: .ok, body: .init(string: try await ChargesController.csv(charges, on: request.db)))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "charges-\(from)-\(to).csv")
            return response
        }
        let names = try await CustomerModel.query(on: request.db).filter(\.$id ~~ charges.compactMap(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        return AdminPage.response(status: .ok, html: AdminPage.charges(charges, names: names, locations: locations, from: from, to: to,
                                                                       status: status, user: current.user, csrf: current.session.csrfToken))
    }
}

extension AdminPage {
    static func visitors(_ tokens: [AccessTokenDTO], names: [UUID: String], form: AdminVisitorsController.BatchForm, zone: TimeZone,
                         message: Message?, user: AdminUserModel, csrf: String) -> String {
        signedIn(title: "Visitors", user: user, csrf: csrf) {
            message?.node
            h2 { "Print Wi-Fi logins for visitors" }
            postForm("/admin/visitors", csrf: csrf, .class("card setup")) {
                div(.class("filters")) {
                    div { label(.for("label")) { "Label (visitors are named after it)" }; input(.id("label"), .name("label"), .value(form.label), .required, .placeholder("Open day")) }
                    div { label(.for("count")) { "How many (up to 500)" }; input(.id("count"), .name("count"), .type("number"), HTMLAttribute("min", "1"), HTMLAttribute("max", "500"), .value(form.count), .required) }
                }
                div(.class("filters")) {
                    div { label(.for("minutes")) { "Minutes each" }; input(.id("minutes"), .name("minutes"), .type("number"), HTMLAttribute("min", "1"), .value(form.minutes)) }
                    div { label(.for("validUntil")) { "Valid until" }; input(.id("validUntil"), .name("validUntil"), .type("datetime-local"), .value(form.validUntil)) }
                    div { label(.for("maxDevices")) { "Devices at once" }; input(.id("maxDevices"), .name("maxDevices"), .type("number"), HTMLAttribute("min", "1"), .value(form.maxDevices), .placeholder("1")) }
                    div { label(.for("network")) { "Network name" }; input(.id("network"), .name("network"), .value(form.network), .placeholder("Footfall Guest")) }
                }
                button(.class("primary"), .type("submit")) { "Print" }
            }
            h2 { "Visitor logins" }
            div(.class("table")) {
                table(.id("visitor-tokens")) {
                    tr { th { "Visitor" }; th { "Username" }; th { "Minutes left" }; th { "Valid until" }; th { "Devices online" } }
                    for token in tokens {
                        tr {
                            td { names[token.customerId] ?? "" }
                            td { code { token.username } }
                            td { token.minutes == nil ? "no limit" : "\(token.remainingMinutes ?? 0) of \(token.minutes ?? 0)" }
                            td { token.validUntil?.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)) ?? "" }
                            td { "\(token.devicesOnline)" + (token.maxDevices.map { " of \($0)" } ?? "") }
                        }
                    }
                }
                if tokens.isEmpty { p(.class("muted")) { "No visitor logins yet." } }
            }
        }
    }

    /// One card per login, eight to a printed page; the passwords are shown here only.
    static func visitorSheet(_ printed: [VisitorTokensController.Printed], network: String?, zone: TimeZone) -> String {
        document(title: "Wi-Fi logins · Footfall", styles: [.base, .sheet], scripts: [.adminScript]) {
            div(.class("bar")) {
                a(.href("/admin/visitors")) { "Back to visitors" }
                button(.type("button"), .data("data-print", "")) { "Print" }
                span(.class("muted")) { "The passwords are on this page only: print it now." }
            }
            div(.class("sheet")) {
                for item in printed {
                    section(.class("ticket"), .data("data-username", item.token.username)) {
                        h2 { "Wi-Fi" + (network.map { ": \($0)" } ?? "") }
                        p(.class("who")) { item.customer.name }
                        dl {
                            dt { "Username" }; dd { code { item.token.username } }
                            dt { "Password" }; dd { code { item.password } }
                            if let minutes = item.token.minutes { dt { "Time" }; dd { "\(minutes) minutes" } }
                            if let until = item.token.validUntil {
                                dt { "Valid until" }; dd { until.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone)) }
                            }
                        }
                    }
                }
            }
        }
    }

    static func charges(_ charges: [Ledger.Charge], names: [UUID: String], locations: [LocationModel], from: LocalDate, to: LocalDate,
                        status: ChargesController.Status?, user: AdminUserModel, csrf: String) -> String {
        let locationNames = Dictionary(uniqueKeysWithValues: locations.map { ($0.id!, $0.name) })
        let totals = Dictionary(grouping: charges, by: \.currency).mapValues { $0.reduce(Int64(0)) { $0 + $1.amount } }
        return signedIn(title: "Charges", user: user, csrf: csrf) {
            form(.class("filters"), .method("get"), .action("/admin/charges")) {
                div { label(.for("from")) { "From" }; input(.id("from"), .name("from"), .type("date"), .value(from.description)) }
                div { label(.for("to")) { "To" }; input(.id("to"), .name("to"), .type("date"), .value(to.description)) }
                div {
                    label(.for("status")) { "Status" }
                    select(.id("status"), .name("status")) {
                        option(.value(""), .selected(status == nil)) { "Pending and final" }
                        option(.value("pending"), .selected(status == .pending)) { "Pending" }
                        option(.value("final"), .selected(status == .final)) { "Final" }
                    }
                }
                button(.class("small"), .type("submit")) { "Show" }
            }
            p {
                a(.href("/admin/charges?from=\(from)&to=\(to)&format=csv" + (status.map { "&status=\($0.rawValue)" } ?? ""))) { "Download CSV" }
                " · Total: " + (totals.isEmpty ? "nothing" : totals.sorted { $0.key < $1.key }.map { Money.format($1, $0) }.joined(separator: ", "))
            }
            div(.class("table")) {
                table(.id("charges")) {
                    tr { th { "Day" }; th { "Customer" }; th { "Where" }; th { "Minutes" }; th { "Amount" }; th { "Status" } }
                    for charge in charges {
                        tr {
                            td { charge.day.description }
                            td { charge.customerId.map { id in a(.href("/admin/customers/\(id)")) { names[id] ?? "" } } ?? .text("anonymised") }
                            td { locationNames[charge.locationId] ?? "" }
                            td { String(charge.minutes) }
                            td { Money.format(charge.amount, charge.currency) }
                            td { charge.isFinal ? "final" : "pending" }
                        }
                    }
                }
                if charges.isEmpty { p(.class("muted")) { "No charges in these days." } }
            }
        }
    }
}
