import Fluent
import Vapor

struct PlansController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let plans = routes.grouped("plans")
        plans.post(use: create)
        plans.get(use: list)
        plans.get(":planId", use: show)
        plans.patch(":planId", use: update)
        plans.delete(":planId", use: delete)
    }

    func create(request: Request) async throws -> Response {
        try PlanDTO(try await Self.create(request.decodeJSONBody(PlanInput.self), on: request.db)).response(status: .created)
    }

    /// What the API and the admin panel's form both do.
    static func create(_ input: PlanInput, on db: any Database) async throws -> PlanModel {
        let model = PlanModel()
        try input.apply(to: model, creating: true, knownLocations: try await knownLocations(on: db))
        try await model.create(on: db)
        return model
    }

    func list(request: Request) async throws -> Page<PlanDTO> {
        let page = try await PageRequest(request).fetch(PlanModel.query(on: request.db).sort(\.$createdAt).sort(\.$id))
        return Page(items: page.rows.map(PlanDTO.init), nextCursor: page.nextCursor)
    }

    func show(request: Request) async throws -> PlanDTO {
        PlanDTO(try await Self.find(request))
    }

    func update(request: Request) async throws -> PlanDTO {
        let model = try await Self.find(request)
        try await Self.update(model, with: request.decodeJSONBody(PlanInput.self), ledger: request.ledger, on: request.db)
        return PlanDTO(model)
    }

    static func update(_ model: PlanModel, with input: PlanInput, ledger: Ledger, on db: any Database) async throws {
        try input.apply(to: model, creating: false, knownLocations: try await knownLocations(on: db))
        try await model.update(on: db)
        ledger.lookups.plans.removeAll()
    }

    func delete(request: Request) async throws -> HTTPStatus {
        let model = try await Self.find(request)
        guard try await CustomerModel.query(on: request.db).filter(\.$planId == model.requireID()).count() == 0 else {
            throw APIError.conflict(code: "plan_in_use", detail: "Customers are on this plan; move them to another plan first.")
        }
        try await model.delete(on: request.db)
        request.ledger.lookups.plans.removeAll()
        return .noContent
    }

    static func find(_ request: Request) async throws -> PlanModel {
        guard let model = try await PlanModel.fetch(Check.uuid(request, "planId"), on: request.db) else {
            throw APIError.notFound("plan")
        }
        return model
    }
}

func knownLocations(on db: any Database) async throws -> Set<UUID> {
    Set(try await LocationModel.query(on: db).all(\.$id))
}
