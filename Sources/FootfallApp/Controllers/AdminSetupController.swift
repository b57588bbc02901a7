import Fluent
import Foundation
import Vapor

/// The admin panel's locations, plans and devices pages. Each form is turned into the API's
/// JSON body and goes through the same input checks and the same create and update code as
/// the API, so a form can do nothing the API would refuse.
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
        admin.get("plans", ":planId") { request in try await plan(request, form: .init(try await PlansController.find(request)), message: nil) }
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
            let model = try await LocationsController.create(try decodeInput(locationBody(form)), on: request)
            return try await locations(request, form: .init(), message: .good("\(model.name) created."))
        }
    }

    func updateLocation(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.LocationForm.self)
        let model = try await LocationsController.find(request)
        return try await AdminPage.refusals(request, render: { try await location(request, form: form, message: $0) }) {
            try await LocationsController.update(model, with: try decodeInput(locationBody(form)), on: request)
            return try await location(request, form: .init(model), message: .good("Saved."))
        }
    }

    private func locationBody(_ form: AdminPage.LocationForm) throws -> [String: Any] {
        ["name": form.name, "timeZone": form.timeZone.trimmingCharacters(in: .whitespaces), "cutoffTime": form.cutoffTime,
         "capacity": try whole(form.capacity, "capacity") ?? NSNull(),
         "openingHours": try WeeklyHoursText.parse(form.openingHours, field: "openingHours") ?? NSNull()]
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
            let model = try await PlansController.create(try decodeInput(planBody(form)), on: request)
            return try await plans(request, form: .init(), message: .good("\(model.name) created."))
        }
    }

    func updatePlan(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.PlanForm.self)
        let model = try await PlansController.find(request)
        return try await AdminPage.refusals(request, render: { try await plan(request, form: form, message: $0) }) {
            try await PlansController.update(model, with: try decodeInput(planBody(form)), on: request)
            return try await plan(request, form: .init(model), message: .good("Saved."))
        }
    }

    private func planBody(_ form: AdminPage.PlanForm) throws -> [String: Any] {
        var limits: Any = NSNull()
        if !form.limitPeriod.isEmpty {
            var fields: [String: Any] = ["period": form.limitPeriod, "enforce": form.limitEnforce != nil]
            if let hours = try decimal(form.limitHours, "limits.hours") { fields["hours"] = hours }
            if let days = try whole(form.limitDays, "limits.days") { fields["days"] = days }
            limits = fields
        }
        return ["name": form.name, "locationIds": form.locationIds ?? [], "overtime": form.overtime, "limits": limits,
                "accessHours": try WeeklyHoursText.parse(form.accessHours, field: "accessHours") ?? NSNull()]
    }

    private func plans(_ request: Request, form: AdminPage.PlanForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let all = try await PlanModel.query(on: request.db).sort(\.$name).all()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.plans(all, locations: locations, form: form, message: message,
                                                                        user: current.user, csrf: current.session.csrfToken))
    }

    private func plan(_ request: Request, form: AdminPage.PlanForm, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: .ok, html: AdminPage.plan(try Check.uuid(request, "planId"), form: form, locations: locations,
                                                                    message: message, user: current.user, csrf: current.session.csrfToken))
    }

    // MARK: Devices

    func createDevice(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.DeviceForm.self)
        return try await AdminPage.refusals(request, render: { try await devices(request, form: form, message: $0) }) {
            var body = try deviceBody(form)
            body["kind"] = form.kind
            let (model, key) = try await DevicesController.create(try decodeInput(body), on: request)
            let current = try await AdminSessions.current(request)!
            return AdminPage.response(status: .ok, html: AdminPage.createdDevice(model, key: key, baseURL: request.application.settings.baseURL,
                                                                                      user: current.user, csrf: current.session.csrfToken))
        }
    }

    func updateDevice(request: Request) async throws -> Response {
        let form = try request.content.decode(AdminPage.DeviceForm.self)
        let model = try await DevicesController.find(request)
        return try await AdminPage.refusals(request, render: { try await device(request, form: form, message: $0) }) {
            try await DevicesController.update(model, with: try decodeInput(deviceBody(form)), on: request)
            return try await device(request, form: .init(model), message: .good("Saved."))
        }
    }

    private func deviceBody(_ form: AdminPage.DeviceForm) throws -> [String: Any] {
        var doors: [String: String] = [:]
        for (number, line) in form.doors.split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else {
                throw APIError.invalidRequest(field: "doors", detail: "line \(number + 1): write the door's id, a space, then in, out or toggle.")
            }
            doors[String(parts[0])] = String(parts[1])
        }
        func text(_ value: String) -> Any { value.trimmingCharacters(in: .whitespaces).isEmpty ? NSNull() : value.trimmingCharacters(in: .whitespaces) }
        return ["name": form.name, "locationId": form.locationId, "direction": form.direction, "doors": doors.isEmpty ? NSNull() : doors,
                "nasIdentifier": text(form.nasIdentifier), "nasIp": text(form.nasIp)]
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

    // MARK: Forms into API bodies

    private func decodeInput<T: Decodable>(_ body: [String: Any]) throws -> T {
        try RFC3339.jsonDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: body))
    }

    private func whole(_ text: String, _ field: String) throws -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let value = Int(trimmed) else { throw APIError.invalidRequest(field: field, detail: "must be a whole number.") }
        return value
    }

    private func decimal(_ text: String, _ field: String) throws -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !trimmed.isEmpty else { return nil }
        guard let value = Double(trimmed), value.isFinite else { throw APIError.invalidRequest(field: field, detail: "must be a number.") }
        return value
    }
}
