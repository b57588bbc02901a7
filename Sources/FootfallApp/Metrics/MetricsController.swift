import Fluent
import Vapor

/// `GET /metrics`: Prometheus text. Open, unless `FOOTFALL_METRICS_TOKEN` is set: then only
/// with that value as the bearer token.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    func metrics(request: Request) async throws -> Response {
        if let token = request.application.settings.metricsToken {
            guard let given = request.headers.bearerAuthorization?.token, SecretToken.constantTimeEquals(given, token) else {
                throw APIError.unauthorized
            }
        }
        let response = Response(status: .ok, body: .init(string: request.ledger.metrics.exposition()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return response
    }
}

/// Counts every HTTP request by method and status, and how long it took to answer.
/// Future-based, not async: see `TextGuardMiddleware`.
struct HTTPMetricsMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: request).always { result in
            let status = switch result {
            case .success(let response): response.status
            case .failure(let error): (error as? any AbortError)?.status ?? .internalServerError
            }
            request.ledger.metrics.http(method: request.method.rawValue, status: Int(status.code), duration: .now - start)
        }
    }
}

extension Ledger {
    /// Sets the people-in gauges from the database: at start-up, and at each sweep (which also
    /// takes in what other servers sharing the database have changed).
    func countPeopleIn() async throws {
        var counts: [UUID: Int] = [:]
        for location in try await LocationModel.query(on: database).all() { counts[location.id!] = 0 }
        for visit in try await CheckInModel.query(on: database).filter(\.$checkedOutAt == nil).all(\.$locationId) {
            counts[visit, default: 0] += 1
        }
        metrics.setPeopleIn(counts)
    }
}
