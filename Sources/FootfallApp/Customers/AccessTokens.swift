import Fluent
import FootfallCore
import Vapor

/// `POST /customers/{id}/access-tokens` and each token of `POST /visitor-tokens`: a Wi-Fi login,
/// with an allowance of its own when any of `minutes`, `validFrom`, `validUntil` or `locationIds`
/// is given.
struct AccessTokenInput: Decodable, Sendable {
    /// At most a year's minutes (366 days), as a time pass.
    static let maximumMinutes = PassInput.maximumMinutes
    static let maximumDevices = 100

    var expiresAt: Date?
    /// Also usable with CHAP: the password is then kept at the server, not only its hash.
    var chap: Bool?
    var minutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]?
    var maxDevices: Int?

    var givesAllowance: Bool { minutes != nil || validFrom != nil || validUntil != nil || locationIds != nil }
}

enum AccessTokens {
    /// A new token for the customer (not yet stored) and its password, shown this once.
    static func make(_ input: AccessTokenInput, for customerId: UUID, visitorBatch: String? = nil, now: Date,
                     locations: Set<UUID>? = nil, on db: any Database) async throws -> (AccessTokenModel, String) {
        if let expiresAt = input.expiresAt, expiresAt <= now {
            throw APIError.invalidRequest(field: "expiresAt", detail: "must be in the future.")
        }
        if let minutes = input.minutes { _ = try Check.bounded(minutes, 1...AccessTokenInput.maximumMinutes, "minutes") }
        if let maxDevices = input.maxDevices { _ = try Check.bounded(maxDevices, 1...AccessTokenInput.maximumDevices, "maxDevices") }
        if let validFrom = input.validFrom, let validUntil = input.validUntil, validUntil <= validFrom {
            throw APIError.invalidRequest(field: "validUntil", detail: "must be after validFrom.")
        }
        if let locationIds = input.locationIds {
            let known = if let locations { locations } else { try await knownLocations(on: db) }
            if let unknown = locationIds.first(where: { !known.contains($0) }) {
                throw APIError.invalidRequest(field: "locationIds", detail: "no location \(unknown).")
            }
        }
        // 80 random bits, in letters and digits nobody misreads on a printed card.
        let password = SecretToken.makeReadable(length: 16)
        let token = AccessTokenModel()
        token.id = .timeOrdered()
        token.customerId = customerId
        token.username = "ff-" + SecretToken.makeReadable(length: 10)
        token.passwordHash = SecretToken.digest(password)
        // CHAP proves the password without sending it, so the server must hold it (README).
        if input.chap == true { token.chapPassword = StoredSecret(password) }
        token.expiresAt = input.expiresAt
        token.hasAllowance = visitorBatch != nil || input.givesAllowance
        token.minutes = input.minutes
        token.validFrom = input.validFrom
        token.validUntil = input.validUntil
        token.locationIds = input.locationIds.map { Array(Set($0)).sorted { $0.uuidString < $1.uuidString } }
        // A visitor's token is for one device unless the batch says otherwise.
        token.maxDevices = input.maxDevices ?? (visitorBatch != nil ? 1 : nil)
        token.batchLabel = visitorBatch
        return (token, password)
    }

    /// Each token with what is left of its minutes and how many devices are online on it.
    static func status(of tokens: [AccessTokenModel], at now: Date, ledger: Ledger, on db: any Database) async throws -> [AccessTokenDTO] {
        let ids = tokens.compactMap(\.id)
        let used = try await Standing(db: db).tokenUsedSeconds(ids, at: now)
        let online = try await ledger.devicesOnline(ids, on: db)
        return tokens.map { token in
            AccessTokenDTO(token, remainingSeconds: token.allowance(usedSeconds: used[token.id!] ?? 0)?.remainingSeconds,
                           devicesOnline: online[token.id!]?.count ?? 0)
        }
    }
}

/// A token as it was made, with its password (shown this once).
struct NewAccessTokenDTO: WireObject {
    var id: UUID
    var customerId: UUID
    var username: String
    var password: String
    var expiresAt: Date?
    var minutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]?
    var maxDevices: Int?

    init(_ token: AccessTokenModel, password: String) {
        id = token.id!
        customerId = token.customerId
        username = token.username
        self.password = password
        expiresAt = token.expiresAt
        minutes = token.minutes
        validFrom = token.validFrom
        validUntil = token.validUntil
        locationIds = token.locationIds
        maxDevices = token.maxDevices
    }
}

/// A token as listed: no password, with what is left of it.
struct AccessTokenDTO: WireObject {
    var id: UUID
    var customerId: UUID
    var username: String
    var label: String?
    var expiresAt: Date?
    var hasAllowance: Bool
    var minutes: Int?
    var remainingMinutes: Int?
    var validFrom: Date?
    var validUntil: Date?
    var locationIds: [UUID]?
    var maxDevices: Int?
    var devicesOnline: Int
    var createdAt: Date?

    init(_ token: AccessTokenModel, remainingSeconds: TimeInterval?, devicesOnline: Int) {
        id = token.id!
        customerId = token.customerId
        username = token.username
        label = token.batchLabel
        expiresAt = token.expiresAt
        hasAllowance = token.hasAllowance == true
        minutes = token.minutes
        // Whole minutes left, rounded down: a token never shows a minute it does not have.
        remainingMinutes = remainingSeconds.map { Int(saturating: ($0 / 60).rounded(.down)) }
        validFrom = token.validFrom
        validUntil = token.validUntil
        locationIds = token.locationIds
        maxDevices = token.maxDevices
        self.devicesOnline = devicesOnline
        createdAt = token.createdAt
    }
}
