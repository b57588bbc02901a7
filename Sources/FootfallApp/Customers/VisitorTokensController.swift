import Fluent
import FootfallCore
import Vapor

/// Printed Wi-Fi logins for guests: each token comes with a visitor customer of its own, so
/// that visits, reports and failed check-ins work for visitors as for members.
struct VisitorTokensController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tokens = routes.grouped("visitor-tokens")
        tokens.post(use: create)
        tokens.get(use: list)
    }

    func create(request: Request) async throws -> Response {
        let batch = try await Self.create(request.decodeJSONBody(VisitorBatchInput.self), for: request)
        return try Page(items: batch.map { NewAccessTokenDTO($0.token, password: $0.password) }, nextCursor: nil).response(status: .created)
    }

    /// Newest first.
    func list(request: Request) async throws -> Page<AccessTokenDTO> {
        let query = AccessTokenModel.query(on: request.db).filter(\.$batchLabel != nil).sort(\.$createdAt, .descending).sort(\.$id, .descending)
        let page = try await PageRequest(request).fetch(query)
        return Page(items: try await AccessTokens.status(of: page.rows, at: request.clock.now(), ledger: request.ledger, on: request.db),
                    nextCursor: page.nextCursor)
    }

    struct Printed: Sendable {
        var customer: CustomerModel
        var token: AccessTokenModel
        var password: String
    }

    /// What the API and the admin panel's form both do: the batch's visitors and tokens, in
    /// one transaction; the passwords are only in what it returns.
    static func create(_ input: VisitorBatchInput, for request: Request) async throws -> [Printed] {
        let printed = try await create(input, now: request.clock.now(), on: request.db)
        request.logger.notice("visitor tokens printed", metadata: ["count": "\(printed.count)", "by": .string(request.adminName)])
        return printed
    }

    private static func create(_ input: VisitorBatchInput, now: Date, on db: any Database) async throws -> [Printed] {
        let label = try Check.nonEmpty(input.label, "label")
        let count = try Check.bounded(input.count, 1...VisitorBatchInput.maximumCount, "count")
        // A printed login that never runs out is a key to the network left on a table.
        guard input.minutes != nil || input.validUntil != nil else {
            throw APIError.invalidRequest(field: "minutes", detail: "a visitor batch needs minutes, validUntil or both.")
        }
        let locations = try await knownLocations(on: db)
        return try await db.writeTransaction { db in
            // Numbered on from the batches printed under the same label before.
            let before = try await AccessTokenModel.query(on: db).filter(\.$batchLabel == label).count()
            var printed: [Printed] = []
            for number in (before + 1)...(before + count) {
                let customer = CustomerModel()
                customer.id = .timeOrdered()
                customer.name = "\(label) \(number)"
                customer.active = true
                customer.kind = CustomerKind.visitor.rawValue
                customer.memberSecret = SecretToken.make(bytes: 20)
                let (token, password) = try await AccessTokens.make(input.token, for: customer.id!, visitorBatch: label, now: now,
                                                                    locations: locations, on: db)
                // Visitors have no email; a unique address that can never receive mail keeps the column's rule.
                customer.email = "\(token.username)@visitors.invalid"
                printed.append(Printed(customer: customer, token: token, password: password))
            }
            try await printed.map(\.customer).create(on: db)
            try await printed.map(\.token).create(on: db)
            return printed
        }
    }
}

/// `POST /visitor-tokens`: a batch of up to 500 tokens with the same allowance.
struct VisitorBatchInput: Decodable, Sendable {
    static let maximumCount = 500

    var label: String
    var count: Int
    var minutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]?
    var maxDevices: Int?

    var token: AccessTokenInput {
        AccessTokenInput(minutes: minutes, validFrom: validFrom, validUntil: validUntil, locationIds: locationIds, maxDevices: maxDevices)
    }
}
