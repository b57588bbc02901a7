import Fluent
import Foundation
import SQLKit

extension Database {
    /// Serialises, across every server writing to this PostgreSQL database, the transactions
    /// that count and then change what these locks guard: the people in at a capped location,
    /// or a kiosk's wrong PINs and member codes. Each is a transaction-level advisory lock, held
    /// until commit, so the count a transaction reads after taking it includes every commit of a
    /// transaction that held it before. Advisory locks block neither readers, nor edits of the
    /// location or device, nor the foreign-key checks of inserts. Taken in one order (sorted) so
    /// two batches cannot wait on each other through them.
    ///
    /// SQLite has one writer, which holds the database's write lock for the whole transaction
    /// (`BEGIN IMMEDIATE`): nothing to do there.
    func lockAdmissions(_ keys: [AdmissionLock]) async throws {
        let sql = self as! any SQLDatabase
        guard sql.dialect.name == "postgresql", !keys.isEmpty else { return }
        for key in Set(keys).sorted(by: { $0.text < $1.text }) {
            try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: key.text), 0))").run()
        }
    }
}

extension WriteTransaction {
    /// Takes these locks in this transaction, beginning it first: PostgreSQL lets go of a
    /// transaction's advisory lock when the statement ends if there is no transaction.
    func lockAdmissions(_ keys: [AdmissionLock], on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        try await begin()
        try await db.lockAdmissions(keys)
    }
}

/// What one admission lock guards.
struct AdmissionLock: Hashable, Sendable {
    let text: String

    /// The people in at a location that has a capacity.
    static func occupancy(_ location: UUID) -> AdmissionLock { AdmissionLock(text: "footfall occupancy " + location.uuidString) }

    /// A kiosk's count of wrong PINs and member codes.
    static func guesses(_ device: UUID) -> AdmissionLock { AdmissionLock(text: "footfall guesses " + device.uuidString) }

    /// The devices online on an access token with a device limit.
    static func devices(_ token: UUID) -> AdmissionLock { AdmissionLock(text: "footfall devices " + token.uuidString) }

    /// Retention's run (it adds what anonymised visits used to their passes).
    static let retention = AdmissionLock(text: "footfall retention")
}
