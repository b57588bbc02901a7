import Vapor

/// `POST /api/v1/imports/customers`: a CSV body, `?dryRun=true` to check it without writing.
struct ImportsController: RouteCollection {
    /// Room for tens of thousands of customers in one file.
    static let maximumFile: ByteCount = "20mb"

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("imports").on(.POST, "customers", body: .collect(maxSize: Self.maximumFile), use: customers)
    }

    func customers(request: Request) async throws -> CustomerImport.Summary {
        guard let type = request.headers.contentType, type.type == "text", type.subType == "csv" else {
            throw Abort(.unsupportedMediaType, reason: "Send the file as text/csv.")
        }
        guard let body = request.body.data, let text = String(validating: Array(body.readableBytesView), as: UTF8.self) else {
            throw APIError.invalidRequest(field: "body", detail: "is empty or not UTF-8.")
        }
        let dryRun = try request.query.get(Bool?.self, at: "dryRun") ?? false
        return try await Self.run(text, dryRun: dryRun, request: request)
    }

    /// The API's and the admin panel's import: bad lines become the API's `invalid_import`.
    static func run(_ text: String, dryRun: Bool, request: Request) async throws -> CustomerImport.Summary {
        do {
            return try await CustomerImport.run(text, dryRun: dryRun, pins: request.ledger.pins, on: request.db)
        } catch let refusal as CustomerImport.Refusal {
            throw APIError.invalidImport(refusal.problems)
        }
    }
}

extension CustomerImport.Summary: Content {}
