import Fluent
import FootfallCore
import SQLKit
import Vapor

struct CustomersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        customers.post(use: create)
        customers.get(use: list)
        customers.get(":customerId", use: show)
        customers.patch(":customerId", use: update)
        customers.delete(":customerId", use: delete)
        customers.get(":customerId", "usage", use: usage)
        customers.get(":customerId", "member-link", use: memberLink)
        customers.post(":customerId", "member-link", use: replaceMemberLink)
    }

    func create(request: Request) async throws -> Response {
        let input = try request.decodeJSONBody(CustomerInput.self)
        let model = CustomerModel()
        model.memberSecret = SecretToken.make(bytes: 20)
        try input.apply(to: model, creating: true)
        try await checkPlan(model.planId, request)
        try await request.ledger.write { db in
            try await Self.checkUniqueEmail(model, on: db)
            try await model.insert(on: db)
        }
        return try CustomerDTO(model).response(status: .created)
    }

    func list(request: Request) async throws -> Page<CustomerDTO> {
        let kind = try Check.queryText(request, "kind") ?? CustomerKind.member.rawValue
        guard CustomerKind(rawValue: kind) != nil else { throw APIError.invalidRequest(field: "kind", detail: "must be \"member\" or \"visitor\".") }
        let query = CustomerModel.query(on: request.db).filter(\.$kind == kind).sort(\.$name).sort(\.$id).matching(request.query["q"] ?? "")
        let page = try await PageRequest(request).fetch(query)
        return Page(items: page.rows.map(CustomerDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> CustomerDTO {
        CustomerDTO(try await Self.find(request))
    }

    func update(request: Request) async throws -> CustomerDTO {
        let model = try await Self.find(request)
        try request.decodeJSONBody(CustomerInput.self).apply(to: model, creating: false)
        try await checkPlan(model.planId, request)
        try await request.ledger.write { db in
            try await Self.checkUniqueEmail(model, on: db)
            try await model.update(on: db)
        }
        return CustomerDTO(model)
    }

    /// Erases the customer with their credentials, passes and visits; failed check-ins stay,
    /// no longer naming them.
    func delete(request: Request) async throws -> HTTPStatus {
        let model = try await Self.find(request)
        let id = try model.requireID()
        try await request.ledger.write { db in
            let cards = try await CardModel.query(on: db).filter(\.$customerId == id).all(\.$id)
            try await CardKeyModel.query(on: db).filter(\.$cardId ~~ cards).delete()
            try await CardModel.query(on: db).filter(\.$customerId == id).delete()
            let tokens = try await AccessTokenModel.query(on: db).filter(\.$customerId == id).all(\.$id)
            try await WifiDeviceModel.query(on: db).filter(\.$accessTokenId ~~ tokens).delete()
            try await AccessTokenModel.query(on: db).filter(\.$customerId == id).delete()
            try await ChargeModel.query(on: db).filter(\.$customerId == id).set(\.$customerId, to: nil).update()
            try await ExternalIdModel.query(on: db).filter(\.$customerId == id).delete()
            try await PassModel.query(on: db).filter(\.$customerId == id).delete()
            try await CheckInModel.query(on: db).filter(\.$customerId == id).delete()
            try await FailedCheckInModel.query(on: db).filter(\.$customerId == id).set(\.$customerId, to: nil).update()
            try await model.delete(on: db)
        }
        return .noContent
    }

    /// Usage on the calendar of `?locationId=`, else of the customer's latest visit, else of
    /// the first location the plan covers.
    func usage(request: Request) async throws -> UsageDTO {
        try await Self.usage(of: Self.find(request), locationId: Check.queryUUID(request, "locationId"),
                             at: Check.queryTime(request, "at") ?? request.clock.now(), on: request.db)
    }

    /// What the API and the admin panel's customer page both show.
    static func usage(of customer: CustomerModel, locationId: UUID?, at: Date, on db: any Database) async throws -> UsageDTO {
        let customerId = try customer.requireID()
        let standing = Standing(db: db)
        let plan = try await customer.planId.asyncFlatMap { try await PlanModel.find($0, on: db) }
        let zone = try await usageZone(customer: customerId, plan: plan, locationId: locationId, on: db)
        let usage: PlanUsage
        if let plan {
            usage = try await standing.planUsage(customerId: customerId, plan: plan, zone: zone, period: plan.limits?.period ?? .month, at: at)
        } else {
            usage = PlanUsage(period: zone.period(.month, containing: at), limits: nil, usedSeconds: 0, usedDays: [])
        }
        return UsageDTO(usage: usage, passes: try await standing.passRecords(customerId: customerId, at: at))
    }

    private static func usageZone(customer: UUID, plan: PlanModel?, locationId: UUID?, on db: any Database) async throws -> LocalZone {
        if let locationId {
            guard let location = try await LocationModel.find(locationId, on: db) else { throw APIError.notFound("location") }
            return location.zone
        }
        let latest = try await CheckInModel.query(on: db).filter(\.$customerId == customer).sort(\.$checkedInAt, .descending).first()
        let candidates = [latest?.locationId] + (plan?.locationIds ?? []).map { Optional($0) }
        for case let id? in candidates {
            if let location = try await LocationModel.find(id, on: db) { return location.zone }
        }
        return try await LocationModel.query(on: db).sort(\.$createdAt).first()?.zone ?? LocalZone(timeZone: .gmt)
    }

    func memberLink(request: Request) async throws -> MemberLinkDTO {
        let customer = try await Self.find(request)
        return MemberLinkDTO(customer, request)
    }

    /// A new private link: the old one, and every code made from it, stop working at once.
    func replaceMemberLink(request: Request) async throws -> Response {
        let customer = try await Self.find(request)
        customer.memberSecret = SecretToken.make(bytes: 20)
        try await request.ledger.write { try await customer.update(on: $0) }
        request.logger.notice("member link replaced", metadata: ["customer": .string(customer.id?.uuidString ?? ""), "by": .string(request.adminName)])
        return try MemberLinkDTO(customer, request).response(status: .created)
    }

    private func checkPlan(_ planId: UUID?, _ request: Request) async throws {
        guard let planId else { return }
        guard try await PlanModel.find(planId, on: request.db) != nil else {
            throw APIError.invalidRequest(field: "planId", detail: "no plan \(planId).")
        }
    }

    /// Checked where the customer is written: two customers given one email at once cannot both pass.
    private static func checkUniqueEmail(_ model: CustomerModel, on db: any Database) async throws {
        let other = try await (db as! any SQLDatabase)
            .raw("SELECT 1 FROM customers WHERE email = \(bind: model.email) AND id <> \(bind: model.id ?? UUID()) LIMIT 1").first()
        guard other == nil else { throw APIError.conflict(code: "email_in_use", detail: "Another customer has this email.") }
    }

    static func find(_ request: Request) async throws -> CustomerModel {
        guard let model = try await CustomerModel.fetch(Check.uuid(request, "customerId"), on: request.db) else {
            throw APIError.notFound("customer")
        }
        return model
    }
}

struct MemberLinkDTO: WireObject {
    var url: String

    init(_ customer: CustomerModel, _ request: Request) {
        url = "\(request.application.settings.baseURL)/member/\(customer.memberSecret)"
    }
}

extension QueryBuilder where Model == CustomerModel {
    /// Customers whose name or email contains the text, in any case; all of them for no text.
    func matching(_ text: String) -> Self {
        guard !text.isEmpty else { return self }
        let pattern = "%\(text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: ""))%"
        return group(.or) {
            $0.filter(.sql(embed: "LOWER(\(ident: "name")) LIKE \(bind: pattern)"))
                .filter(.sql(embed: "\(ident: "email") LIKE \(bind: pattern)"))
        }
    }
}
