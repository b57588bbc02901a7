import Foundation

/// What the ledger refuses to do, in its own words (a refused check-in is no error: it is an
/// outcome with a reason). `APIError(_:)` is the one place that says what each means on the wire.
enum LedgerError: Error, Sendable {
    case noSuchVisit
    case noSuchLocation
    /// A time that would make a visit impossible; `field` names where the caller's value came from.
    case impossibleTime(field: String, detail: String)
}

extension APIError {
    init(_ error: LedgerError) {
        switch error {
        case .noSuchVisit: self = .notFound("check-in")
        case .noSuchLocation: self = .notFound("location")
        case .impossibleTime(let field, let detail): self = .invalidRequest(field: field, detail: detail)
        }
    }
}
