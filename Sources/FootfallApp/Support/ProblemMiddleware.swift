import Fluent
import FluentPostgresDriver
import Vapor

/// The one place where errors become HTTP answers: problem+json with a stable `code`.
/// What went wrong inside is logged, never sent.
/// Future-based, not async: see `TextGuardMiddleware`.
struct ProblemMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            var problem = Self.problem(for: error, request: request)
            // No route for this method, but there is for others: 405 and the methods there are.
            var allowed: [HTTPMethod] = []
            if problem.status == 404, request.route == nil {
                allowed = Self.methods(at: request.url.path, in: request.application.routes)
                if !allowed.isEmpty {
                    problem = Problem(status: .methodNotAllowed, code: "method_not_allowed",
                                      detail: "This path answers \(allowed.map(\.rawValue).joined(separator: ", ")) only.")
                }
            }
            let response = Response(status: HTTPResponseStatus(statusCode: problem.status))
            try response.content.encode(problem, using: RFC3339.jsonEncoder())
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
            if !allowed.isEmpty { response.headers.replaceOrAdd(name: .allow, value: allowed.map(\.rawValue).joined(separator: ", ")) }
            if problem.status == 503 { response.headers.replaceOrAdd(name: .retryAfter, value: String(Self.retryAfter)) }
            return response
        }
    }

    /// The methods routed at this path.
    static func methods(at path: String, in routes: Routes) -> [HTTPMethod] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return routes.all.filter { route in
            var index = 0
            for component in route.path {
                switch component {
                case .catchall: return index < segments.count
                case .constant(let text): guard index < segments.count, segments[index] == text else { return false }
                case .parameter, .anything: guard index < segments.count else { return false }
                }
                index += 1
            }
            return index == segments.count
        }.map(\.method)
    }

    /// Seconds a client is asked to wait before sending a 503's request again.
    static let retryAfter = 5

    static func problem(for error: any Error, request: Request) -> Problem {
        if let unmade = APIError(unmadeWrite: error) { return unmade.problem }
        switch error {
        case let error as APIError:
            return error.problem
        case let error as LedgerError:
            return APIError(error).problem
        case let error as DecodingError:
            return Problem(status: .badRequest, code: "invalid_request", detail: describe(error))
        case let error as PSQLError where error.serverInfo?[.sqlState] == "22021":
            // Text PostgreSQL cannot store (a NUL character in a form's value).
            request.logger.notice("text refused by PostgreSQL: \(error.serverInfo?[.message] ?? "")")
            return Problem(status: .badRequest, code: "invalid_request", detail: "Text must not contain the NUL character.")
        case let error as any DatabaseError where error.isConstraintFailure:
            request.logger.notice("constraint failure: \(String(reflecting: error))")
            return Problem(status: .conflict, code: "conflict", detail: "The change conflicts with existing data.")
        case let error as any AbortError:
            let status = error.status
            return Problem(status: status, code: code(for: status), detail: status == .notFound ? "No such endpoint." : error.reason)
        default:
            request.logger.error("unexpected error: \(String(reflecting: error))")
            return Problem(status: .internalServerError, code: "internal_error", detail: "Something went wrong on the server.")
        }
    }

    private static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .notFound: "not_found"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .methodNotAllowed: "method_not_allowed"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .conflict: "conflict"
        default: status.code < 500 ? "invalid_request" : "internal_error"
        }
    }

    /// Names the field, so that the client knows what to fix.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "body" : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is required."
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): must not be null."
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))."
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "body: is not valid JSON." : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "body: could not be read."
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: String(describing: type).hasPrefix("Dictionary") ? "an object" : String(describing: type).hasPrefix("Array") ? "an array" : "a value of another type"
        }
    }
}
