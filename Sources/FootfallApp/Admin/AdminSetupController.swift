import Fluent
import Foundation
import Vapor

/// The admin panel's locations, plans and devices pages. Each form is turned into the API's
/// typed input and goes through the same input checks and the same create and update functions
/// as the API, so a form can do nothing the API would refuse.
struct AdminSetupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin").grouped(AdminPageAuth())
        admin.get("locations") { try await locations($0, form: .init(), message: nil) }
        admin.post("locations", use: createLocation)
        admin.get("locations", ":locationId") { request in
            try await location(request, form: .init(try await LocationsController.find(request)), message: nil)
        }
        admin.post("locations", ":locationId", use: updateLocation)
        admin.get("plans") { try await plans($0, form: .init(), message: nil) }
        admin.post("plans", use: createPlan)
        admin.get("plans", ":planId") { request in
            try await plan(request, form: .init(try await PlansController.find(request), currency: request.application.settings.currency), message: nil)
        }
        admin.post("plans", ":planId", use: updatePlan)
        admin.get("devices") { try await devices($0, form: .init(), message: nil) }
        admin.post("devices", use: createDevice)
        admin.get("devices", ":deviceId") { request in
            try await device(request, form: .init(try await DevicesController.find(request)), message: nil)
        }
        admin.post("devices", ":deviceId", use: updateDevice)
    }

    // MARK: Locations

    func createLocation(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.LocationForm.self)
        return try await AdminPage.refusals(request, render: { try await locations(request, form: form, message: $0) }) {
            let model = try await LocationsController.create(try form.input(), on: request.db)
            return try await locations(request, form: .init(), message: .good("\(model.name) created."))
        }
    }

    func updateLocation(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.LocationForm.self)
        let model = try await LocationsController.find(request)
        return try await AdminPage.refusals(request, render: { try await location(request, form: form, message: $0) }) {
            try await LocationsController.update(model, with: try form.input(), ledger: request.ledger)
            return try await location(request, form: .init(model), message: .good("Saved."))
        }
    }

    private func locations(_ request: Request, form: AdminPage.LocationForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let all = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.locations(all, form: form, message: message, user: current.user,
                                                                            csrf: current.session.csrfToken))
    }

    private func location(_ request: Request, form: AdminPage.LocationForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        return AdminPage.response(status: .ok, html: AdminPage.location(try Check.uuid(request, "locationId"), form: form, message: message,
                                                                        user: current.user, csrf: current.session.csrfToken))
    }

    // MARK: Plans

    func createPlan(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.PlanForm.self)
        return try await AdminPage.refusals(request, render: { try await plans(request, form: form, message: $0) }) {
            let model = try await PlansController.create(try form.input(currency: request.application.settings.currency), on: request.db)
            return try await plans(request, form: .init(), message: .good("\(model.name) created."))
        }
    }

    func updatePlan(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.PlanForm.self)
        let model = try await PlansController.find(request)
        return try await AdminPage.refusals(request, render: { try await plan(request, form: form, message: $0) }) {
            let currency = request.application.settings.currency
            try await PlansController.update(model, with: try form.input(currency: currency), ledger: request.ledger, on: request.db)
            return try await plan(request, form: .init(model, currency: currency), message: .good("Saved."))
        }
    }

    private func plans(_ request: Request, form: AdminPage.PlanForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let all = try await PlanModel.query(on: request.db).sort(\.$name).all()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.plans(all, locations: locations, form: form,
                                                                     currency: request.application.settings.currency, message: message,
                                                                     user: current.user, csrf: current.session.csrfToken))
    }

    private func plan(_ request: Request, form: AdminPage.PlanForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.plan(try Check.uuid(request, "planId"), form: form, locations: locations,
                                                                    currency: request.application.settings.currency, message: message,
                                                                    user: current.user, csrf: current.session.csrfToken))
    }

    // MARK: Devices

    func createDevice(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.DeviceForm.self)
        return try await AdminPage.refusals(request, render: { try await devices(request, form: form, message: $0) }) {
            let (model, key) = try await DevicesController.create(try form.input(), on: request.db)
            let current = try await AdminSessions.current(request)!
            return AdminPage.response(status: .ok, html: AdminPage.createdDevice(model, key: key, baseURL: request.application.settings.baseURL,
                                                                                      user: current.user, csrf: current.session.csrfToken))
        }
    }

    func updateDevice(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.DeviceForm.self)
        let model = try await DevicesController.find(request)
        return try await AdminPage.refusals(request, render: { try await device(request, form: form, message: $0) }) {
            try await DevicesController.update(model, with: try form.patch(), ledger: request.ledger, on: request.db)
            return try await device(request, form: .init(model), message: .good("Saved."))
        }
    }

    private func devices(_ request: Request, form: AdminPage.DeviceForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let all = try await DeviceModel.query(on: request.db).sort(\.$name).all()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.devices(all, locations: locations, form: form, message: message,
                                                                       user: current.user, csrf: current.session.csrfToken))
    }

    private func device(_ request: Request, form: AdminPage.DeviceForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.device(try Check.uuid(request, "deviceId"), form: form, locations: locations,
                                                                      message: message, user: current.user, csrf: current.session.csrfToken))
    }
}

// MARK: Forms into the API's inputs

extension AdminPage.LocationForm {
    /// Every field, as a full replacement: an empty capacity or opening hours clears it.
    func input() throws -> LocationInput {
        LocationInput(name: name, timeZone: timeZone.trimmingCharacters(in: .whitespaces),
                      capacity: try FormField.whole(capacity, "capacity").map(Patch.value) ?? .null,
                      openingHours: try WeeklyHoursText.parse(openingHours, field: "openingHours").map(Patch.value) ?? .null,
                      cutoffTime: cutoffTime)
    }
}

extension AdminPage.PlanForm {
    func input(currency: String) throws -> PlanInput {
        let limits: Patch<LimitsDTO> = limitPeriod.isEmpty ? .null : .value(LimitsDTO(
            period: limitPeriod, hours: try FormField.decimal(limitHours, "limits.hours"), days: try FormField.whole(limitDays, "limits.days"),
            enforce: limitEnforce != nil))
        return PlanInput(name: name, locationIds: try (locationIds ?? []).map { try FormField.uuid($0, "locationIds") },
                         accessHours: try WeeklyHoursText.parse(accessHours, field: "accessHours").map(Patch.value) ?? .null,
                         limits: limits, overtime: overtime, payAsYouGo: try rate.patch(currency: currency))
    }
}

extension AdminPage.DeviceForm {
    /// A new device of the form's kind.
    func input() throws -> DeviceInput {
        let change = try patch()
        return DeviceInput(name: name, locationId: try FormField.uuid(locationId, "locationId"), kind: kind, direction: direction,
                           doors: change.doors.applied(to: nil), nasIdentifier: change.nasIdentifier.applied(to: nil),
                           nasIp: change.nasIp.applied(to: nil), requireMessageAuthenticator: nil)
    }

    /// Every field but the kind and the key, which stay.
    func patch() throws -> DevicePatch {
        var map: [String: String] = [:]
        for (number, line) in doors.split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else {
                throw APIError.invalidRequest(field: "doors", detail: "line \(number + 1): write the door's id, a space, then in, out or toggle.")
            }
            map[String(parts[0])] = String(parts[1])
        }
        func text(_ value: String) -> Patch<String> {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? .null : .value(trimmed)
        }
        return DevicePatch(name: name, locationId: try FormField.uuid(locationId, "locationId"), kind: kind, direction: direction,
                           doors: map.isEmpty ? .null : .value(map), nasIdentifier: text(nasIdentifier), nasIp: text(nasIp),
                           requireMessageAuthenticator: nil)
    }
}

/// A form's text field read as the API's type, refused with the API's problem when it is not one.
enum FormField {
    static func whole(_ text: String, _ field: String) throws -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let value = Int(trimmed) else { throw APIError.invalidRequest(field: field, detail: "must be a whole number.") }
        return value
    }

    static func decimal(_ text: String, _ field: String) throws -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !trimmed.isEmpty else { return nil }
        guard let value = Double(trimmed), value.isFinite else { throw APIError.invalidRequest(field: field, detail: "must be a number.") }
        return value
    }

    static func uuid(_ text: String, _ field: String) throws -> UUID {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw APIError.invalidRequest(field: field, detail: "is not an id.")
        }
        return id
    }
}
