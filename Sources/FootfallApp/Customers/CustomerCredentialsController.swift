import Fluent
import FootfallCore
import SQLKit
import Vapor

/// What identifies a customer to devices (PIN, cards, Wi-Fi tokens, door-system ids) and the
/// passes they hold.
struct CustomerCredentialsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let customer = routes.grouped("customers", ":customerId")
        customer.put("pin", use: setPin)
        customer.post("cards", use: addCard)
        customer.delete("cards", ":cardId", use: removeCard)
        customer.post("access-tokens", use: addAccessToken)
        customer.get("access-tokens", use: listAccessTokens)
        customer.delete("access-tokens", ":tokenId", use: removeAccessToken)
        customer.post("external-ids", use: addExternalId)
        customer.post("passes", use: addPass)
        customer.get("passes", use: listPasses)
    }

    func setPin(request: Request) async throws -> HTTPStatus {
        try await Self.setPin(request.decodeJSONBody(PinInput.self), for: CustomersController.find(request), ledger: request.ledger)
        return .noContent
    }

    /// What the API and the admin panel's form both do.
    static func setPin(_ input: PinInput, for customer: CustomerModel, ledger: Ledger) async throws {
        let digest = ledger.pins.digest(try input.validated())
        try await ledger.write { db in
            let holder = try await CustomerModel.query(on: db).filter(\.$pinHash == digest).first()
            guard holder == nil || holder?.id == customer.id else {
                throw APIError.conflict(code: "pin_in_use", detail: "Another customer has this PIN; PINs identify customers on their own.")
            }
            customer.pinHash = digest
            try await customer.update(on: db)
        }
    }

    func addCard(request: Request) async throws -> Response {
        let customer = try await CustomersController.find(request)
        let input = try request.decodeJSONBody(CardInput.self)
        let card = try await Self.register(card: input.number, format: input.format, to: customer, ledger: request.ledger)
        return try CardDTO(id: card.requireID(), normalized: card.normalized).response(status: .created)
    }

    /// Registers a card unless a reading of it matches a registered card (409 `card_in_use`).
    static func register(card text: String, format name: String?, to customer: CustomerModel, ledger: Ledger) async throws -> CardModel {
        guard let format = CardNumber.Format(rawValue: name ?? "auto") else {
            throw APIError.invalidRequest(field: "format", detail: "must be auto, hex, decimal or wiegand26.")
        }
        guard let number = CardNumber(text, format: format) else {
            throw APIError.invalidRequest(field: "number", detail: "is not a card number in the \(format.rawValue) format.")
        }
        let keys = Array(number.matchKeys)
        let customerId = try customer.requireID()
        return try await ledger.write { db in
            // Checked where it is written: two registrations of one card at once cannot both pass.
            let taken = try await (db as! any SQLDatabase).raw("SELECT 1 FROM card_keys k WHERE k.key IN (\(binds: keys)) LIMIT 1").first()
            guard taken == nil else {
                throw APIError.conflict(code: "card_in_use", detail: "A registered card matches this number as some reader reports it.")
            }
            // Made here: a write the writer tries again (another server took a key first) starts afresh.
            let card = CardModel()
            card.customerId = customerId
            card.normalized = number.hex
            try await card.insert(on: db)
            try await keys.map { CardKeyModel(cardId: card.id!, key: $0) }.insert(on: db)
            return card
        }
    }

    func removeCard(request: Request) async throws -> HTTPStatus {
        let customer = try await CustomersController.find(request)
        guard let card = try await CardModel.find(Check.uuid(request, "cardId"), on: request.db),
              card.customerId == customer.id
        else { throw APIError.notFound("card") }
        let cardId = try card.requireID()
        try await request.ledger.write { db in
            try await CardKeyModel.query(on: db).filter(\.$cardId == cardId).delete()
            try await card.delete(on: db)
        }
        return .noContent
    }

    func addAccessToken(request: Request) async throws -> Response {
        let customer = try await CustomersController.find(request)
        let input = request.body.data == nil ? AccessTokenInput() : try request.decodeJSONBody(AccessTokenInput.self)
        let (token, password) = try await Self.addAccessToken(input, to: customer, request: request)
        return try NewAccessTokenDTO(token, password: password).response(status: .created)
    }

    /// A new Wi-Fi login for the customer, written by the ledger's writer, with its password
    /// (which only the answer holds): what the API and the admin panel's form both do.
    static func addAccessToken(_ input: AccessTokenInput, to customer: CustomerModel, request: Request) async throws -> (AccessTokenModel, String) {
        let (token, password) = try await AccessTokens.make(input, for: customer.requireID(), now: request.clock.now(), on: request.db)
        try await request.ledger.write { try await token.create(on: $0) }
        return (token, password)
    }

    func listAccessTokens(request: Request) async throws -> Page<AccessTokenDTO> {
        let customer = try await CustomersController.find(request)
        let query = AccessTokenModel.query(on: request.db).filter(\.$customerId == (try customer.requireID())).sort(\.$createdAt).sort(\.$id)
        let page = try await PageRequest(request).fetch(query)
        return Page(items: try await AccessTokens.status(of: page.rows, at: request.clock.now(), ledger: request.ledger, on: request.db),
                    nextCursor: page.nextCursor)
    }

    func removeAccessToken(request: Request) async throws -> HTTPStatus {
        let customer = try await CustomersController.find(request)
        guard let token = try await AccessTokenModel.find(Check.uuid(request, "tokenId"), on: request.db), token.customerId == customer.id
        else { throw APIError.notFound("access token") }
        let tokenId = try token.requireID()
        try await request.ledger.write { db in
            try await WifiDeviceModel.query(on: db).filter(\.$accessTokenId == tokenId).delete()
            try await token.delete(on: db)
        }
        return .noContent
    }

    func addExternalId(request: Request) async throws -> Response {
        let customer = try await CustomersController.find(request)
        let input = try request.decodeJSONBody(ExternalIdInput.self)
        let system = try Check.nonEmpty(input.system, "system").lowercased()
        let externalId = try Check.nonEmpty(input.externalId, "externalId")
        let model = ExternalIdModel()
        model.customerId = try customer.requireID()
        model.system = system
        model.externalId = externalId
        try await request.ledger.write { db in
            let taken = try await ExternalIdModel.query(on: db).filter(\.$system == system).filter(\.$externalId == externalId).count()
            guard taken == 0 else {
                throw APIError.conflict(code: "external_id_in_use", detail: "A customer has this \(system) id already.")
            }
            try await model.create(on: db)
        }
        return try ExternalIdDTO(id: model.requireID(), customerId: model.customerId, system: system, externalId: externalId)
            .response(status: .created)
    }

    func addPass(request: Request) async throws -> Response {
        let pass = try await Self.addPass(request.decodeJSONBody(PassInput.self), to: CustomersController.find(request), ledger: request.ledger)
        return try PassDTO(pass, usedSeconds: 0).response(status: .created)
    }

    /// What the API and the admin panel's form both do.
    static func addPass(_ input: PassInput, to customer: CustomerModel, ledger: Ledger) async throws -> PassModel {
        let pass = try input.model(customerId: try customer.requireID(), knownLocations: try await knownLocations(on: ledger.database))
        try await ledger.write { try await pass.create(on: $0) }
        return pass
    }

    func listPasses(request: Request) async throws -> Page<PassDTO> {
        let records = try await Self.passes(of: CustomersController.find(request), at: request.clock.now(), on: request.db)
        let page = try PageRequest(request).slice(records)
        return Page(items: page.rows.map { PassDTO($0, usedSeconds: $1) }, nextCursor: page.nextCursor)
    }

    /// The customer's passes with what each has used by `at`.
    static func passes(of customer: CustomerModel, at: Date, on db: any Database) async throws -> [(PassModel, TimeInterval)] {
        try await Standing(db: db).passRecords(customerId: customer.requireID(), at: at)
    }
}

extension ServerSecretModel {
    static func value(_ name: String, on db: any Database) async throws -> String {
        guard let secret = try await ServerSecretModel.find(name, on: db) else {
            throw Abort(.internalServerError, reason: "server secret \(name) is missing; run footfall migrate")
        }
        return secret.value
    }
}
