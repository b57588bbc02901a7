import FootfallCore
import FluentPostgresDriver
import Vapor

/// An answer other than success, with what the client needs to act on it. Each case maps to
/// one status and one stable `code` in the problem+json body.
enum APIError: Error, Sendable {
    case invalidRequest(field: String, detail: String)
    case notFound(String)
    case unauthorized
    case forbidden
    /// A webhook whose signature is missing, malformed, wrong or too old.
    case invalidSignature(String)
    case conflict(code: String, detail: String)
    case checkInRefused(ReasonCode, failedCheckInId: UUID)
    /// An import with bad lines, every one of them; nothing was written.
    case invalidImport([CustomerImport.Problem])
    /// Nothing was written, for a reason that passes (the server stopping, the database out of
    /// reach): the same request again, a few seconds on, may succeed.
    case unavailable(code: String, detail: String)

    /// A write still waiting for the ledger's writer when the server stopped, or a read before
    /// any write whose connection pool had shut down (`beforeAnyWrite`).
    static let shuttingDown = APIError.unavailable(code: "shutting_down", detail: "The server is stopping; nothing was written. Send this again.")
    /// A write the ledger's writer found no database connection for, or a read before any write
    /// that could not reach the database (`beforeAnyWrite`).
    static let databaseUnavailable = APIError.unavailable(code: "database_unavailable",
                                                         detail: "The database cannot be reached; nothing was written. Send this again.")

    /// The answer to a write the ledger's writer failed without making it; nil for any other error.
    init?(unmadeWrite error: any Error) {
        switch error {
        case is LedgerWriter.ShuttingDown: self = .shuttingDown
        case is LedgerWriter.NoConnection: self = .databaseUnavailable
        default: return nil
        }
    }

    /// The answer to a read that failed for want of a database connection; nil for any other
    /// error. `databaseUnavailable` when:
    /// - no connection could be had: it could not be opened (`connectionError`), or the pool
    ///   waited too long for one (`ConnectionPoolTimeoutError`);
    /// - PostgreSQL refused the connection or ended it: a server error of severity FATAL or PANIC
    ///   (a statement's own errors are ERROR);
    /// - the connection closed under the read (`serverClosedConnection`, `clientClosedConnection`).
    ///
    /// `shuttingDown` when the pool itself has been shut down.
    init?(unreachableDatabase error: any Error) {
        switch error {
        case is ConnectionPoolTimeoutError:
            self = .databaseUnavailable
        case ConnectionPoolError.shutdown:
            self = .shuttingDown
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection:
                self = .databaseUnavailable
            case .server where ["FATAL", "PANIC"].contains(error.serverInfo?[.severity]):
                self = .databaseUnavailable
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// `read`, made before the request has written anything: when it gets no database connection
    /// (`init(unreachableDatabase:)`), the request is answered 503 (`databaseUnavailable`, or
    /// `shuttingDown` while the server stops; send it again) rather than 500. Why is logged: the
    /// error's code and PostgreSQL's state and message, never the statement's binds.
    static func beforeAnyWrite<T: Sendable>(logger: Logger, _ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch {
            guard let answer = APIError(unreachableDatabase: error) else { throw error }
            let psql = error as? PSQLError
            let why = [psql.map { "\($0.code)" } ?? "\(error)", psql?.serverInfo?[.sqlState], psql?.serverInfo?[.message]]
                .compactMap { $0 }.joined(separator: " ")
            if case ConnectionPoolError.shutdown = error {
                logger.info("no database connection before any write, the server stopping: \(why)")
            } else {
                logger.warning("no database connection before any write: \(why)")
            }
            throw answer
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .invalidSignature: .unauthorized
        case .conflict: .conflict
        case .checkInRefused, .invalidImport: .unprocessableEntity
        case .unavailable: .serviceUnavailable
        }
    }

    var problem: Problem {
        switch self {
        case .invalidRequest(let field, let detail):
            Problem(status: status, code: "invalid_request", detail: "\(field): \(detail)")
        case .notFound(let what):
            Problem(status: status, code: "not_found", detail: "No \(what) with that id.")
        case .unauthorized:
            Problem(status: status, code: "unauthorized", detail: "A valid bearer token is required.")
        case .forbidden:
            Problem(status: status, code: "forbidden", detail: "This credential may not use this endpoint.")
        case .invalidSignature(let detail):
            Problem(status: status, code: "invalid_signature", detail: detail)
        case .conflict(let code, let detail):
            Problem(status: status, code: code, detail: detail)
        case .checkInRefused(let reason, let failedId):
            Problem(status: status, code: "check_in_refused", detail: "The check-in was refused: \(reason.rawValue).",
                    reason: reason.rawValue, failedCheckInId: failedId)
        case .invalidImport(let errors):
            Problem(status: status, code: "invalid_import",
                    detail: "\(errors.count) bad \(errors.count == 1 ? "line" : "lines"); nothing was imported.", errors: errors)
        case .unavailable(let code, let detail):
            Problem(status: status, code: code, detail: detail)
        }
    }
}

/// An RFC 9457 problem document.
struct Problem: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var code: String
    var reason: String?
    var failedCheckInId: UUID?
    /// An import's bad lines.
    var errors: [CustomerImport.Problem]?

    init(status: HTTPResponseStatus, code: String, detail: String, reason: String? = nil, failedCheckInId: UUID? = nil,
         errors: [CustomerImport.Problem]? = nil) {
        self.type = "https://footfall.invalid/problems/\(code)"
        self.title = status.reasonPhrase
        self.status = Int(status.code)
        self.detail = detail
        self.code = code
        self.reason = reason
        self.failedCheckInId = failedCheckInId
        self.errors = errors
    }
}
