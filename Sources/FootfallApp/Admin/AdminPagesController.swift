import Fluent
import FootfallCore
import NIOConcurrencyHelpers
import Vapor

/// The admin panel's sign-in, sign-out and pages. Every page but sign-in needs a session; a
/// signed-out visitor is sent to sign in and then back. Every form posts its session's CSRF
/// token; one posted without it is refused with 403.
struct AdminPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("sign-in", use: signInForm)
        admin.post("sign-in", use: signIn)
        let signedIn = admin.grouped(AdminPageAuth())
        signedIn.get(use: whoIsIn)
        signedIn.post("sign-out", use: signOut)
        signedIn.get("locations", ":locationId", "card", use: locationCard)
        signedIn.post("check-ins", ":checkInId", "check-out", use: checkOut)
        signedIn.get("check-in", use: checkInForm)
        signedIn.post("check-in", use: checkIn)
        signedIn.get("failed") { try await self.failedPage($0, status: .ok, message: nil) }
        signedIn.post("failed", ":failedCheckInId", "assign", use: assignCard)
        signedIn.get("reports", use: reports)
        signedIn.get("customers", use: customers)
        signedIn.get("customers", ":customerId", use: customer)
        // The upload checks its session and token itself, after its route has gathered the file
        // (AdminPageAuth reads the token before any body beyond the usual size has arrived).
        admin.on(.POST, "customers", "import", body: .collect(maxSize: ImportsController.maximumFile), use: importCustomers)
        // The same functions as the API's, given the form's fields as the API's typed input.
        signedIn.post("customers", ":customerId", "pin") { request in
            try await self.change(request, done: "PIN set.") {
                try await CustomerCredentialsController.setPin(request.content.decode(PinInput.self), for: CustomersController.find(request),
                                                               ledger: request.ledger)
            }
        }
        signedIn.post("customers", ":customerId", "cards") { request in
            try await self.change(request, done: "Card added.") {
                let input = try request.content.decode(CardInput.self)
                _ = try await CustomerCredentialsController.register(card: input.number, format: input.format, to: CustomersController.find(request),
                                                                     ledger: request.ledger)
            }
        }
        signedIn.post("customers", ":customerId", "passes") { request in
            try await self.change(request, done: "Pass added.") {
                _ = try await CustomerCredentialsController.addPass(request.content.decode(PassInput.self), to: CustomersController.find(request),
                                                                    ledger: request.ledger)
            }
        }
        signedIn.post("customers", ":customerId", "access-tokens") { request in
            try await AdminPage.refusals(request, render: { try await self.customerPage(request, status: .ok, message: $0) }) {
                let form = try request.content.decode(TokenForm.self)
                let input = AccessTokenInput(minutes: try FormField.whole(form.minutes ?? "", "minutes"),
                                             maxDevices: try FormField.whole(form.maxDevices ?? "", "maxDevices"))
                let (token, password) = try await CustomerCredentialsController.addAccessToken(input, to: CustomersController.find(request),
                                                                                                request: request)
                return try await self.customerPage(request, status: .ok, message: .good(
                    "New Wi-Fi login: username \(token.username), password \(password) — shown this once; write it down or hand it over now."))
            }
        }
        signedIn.post("customers", ":customerId", "rate") { request in
            try await self.change(request, done: "Rate saved.") {
                let form = try request.content.decode(RateForm.self)
                let customer = try await CustomersController.find(request)
                try form.fields.patch(currency: request.application.settings.currency).apply(to: customer.payAsYouGo)
                try await request.ledger.write { try await customer.update(on: $0) }
            }
        }
        signedIn.post("customers", ":customerId", "visits", ":checkInId") { request in
            try await self.change(request, done: "Visit corrected.") { try await self.correctVisit(request) }
        }
    }

    // MARK: Sign-in

    func signInForm(request: Request) async throws -> Response {
        if try await AdminSessions.current(request) != nil { return request.redirect(to: safeNext(request), redirectType: .normal) }
        return signInPage(request, status: .ok, message: nil)
    }

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var _csrf: String?
        var next: String?
    }

    func signIn(request: Request) async throws -> Response {
        let form = try request.content.decode(SignInForm.self)
        guard let sent = form._csrf, let expected = request.cookies[AdminSessions.signInCookieName]?.string,
              SecretToken.constantTimeEquals(sent, expected)
        else { return AdminPage.forbidden() }
        let email = (try? CustomerInput.normalizedEmail(form.email ?? "")) ?? ""
        let address = request.remoteAddress?.ipAddress
        let throttle = request.application.signInThrottle
        let now = request.clock.now()
        if let seconds = throttle.attempt(email: email, address: address, now: now) {
            request.logger.notice("admin sign-in refused: too many wrong passwords", metadata: ["email": .string(email)])
            let response = signInPage(request, status: .tooManyRequests,
                                      message: "Too many wrong passwords. Try again in \(Self.minutes(seconds)).",
                                      email: form.email ?? "", next: safeNext(request, form.next))
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return response
        }
        let user = email.isEmpty ? nil : try await AdminUserModel.query(on: request.db).filter(\.$email == email).first()
        // Unknown emails take as long as wrong passwords, so timing tells nobody who has an account.
        let hash = if let user { user.passwordHash } else { try await Self.unknownUserHash(cost: request.application.settings.passwordCost) }
        // Bcrypt on NIO's own pool, not the one the database's connections block threads of.
        let password = form.password ?? ""
        let matches = try await NIOThreadPool.singleton.runIfActive { try Bcrypt.verify(password, created: hash) }
        guard let user, matches else {
            request.logger.notice("admin sign-in failed", metadata: ["email": .string(email)])
            // The form again, with the email and the page asked for kept.
            return signInPage(request, status: .unauthorized, message: "Wrong email or password.", email: form.email ?? "",
                              next: safeNext(request, form.next))
        }
        throttle.succeeded(email: email, address: address, at: now)
        let (token, _) = try await AdminSessions.start(for: user, on: request)
        let response = request.redirect(to: safeNext(request, form.next), redirectType: .normal)
        response.cookies[AdminSessions.cookieName] = AdminSessions.cookie(token, maxAge: Int(AdminSessions.lifetime), on: request)
        response.cookies[AdminSessions.signInCookieName] = AdminSessions.cookie("", maxAge: 0, sameSite: .strict, on: request)
        return response
    }

    func signOut(request: Request) async throws -> Response {
        if let current = try await AdminSessions.current(request) { try await current.session.delete(on: request.db) }
        let response = request.redirect(to: "/admin/sign-in", redirectType: .normal)
        response.cookies[AdminSessions.cookieName] = AdminSessions.cookie("", maxAge: 0, on: request)
        return response
    }

    /// A Bcrypt hash of nothing anyone knows, at the cost admin passwords are hashed at, to check
    /// passwords of unknown emails against; made once per cost, on a thread pool (hashing takes
    /// a noticeable moment; async tasks must not block).
    private static func unknownUserHash(cost: Int) async throws -> String {
        if let hash = unknownUserHashes.withLockedValue({ $0[cost] }) { return hash }
        let hash = try await NIOThreadPool.singleton.runIfActive { try Bcrypt.hash(SecretToken.make(), cost: cost) }
        return unknownUserHashes.withLockedValue { stored in
            if stored[cost] == nil { stored[cost] = hash }
            return stored[cost]!
        }
    }

    private static let unknownUserHashes = NIOLockedValueBox<[Int: String]>([:])

    private static func minutes(_ seconds: Int) -> String {
        seconds < 90 ? "a minute" : "\((seconds + 59) / 60) minutes"
    }

    private func signInPage(_ request: Request, status: HTTPStatus, message: String?, email: String = "", next: String? = nil) -> Response {
        let csrf = SecretToken.make()
        let response = AdminPage.response(status: status, html: AdminPage.signIn(csrf: csrf, next: next ?? safeNext(request), email: email,
                                                                                  message: message))
        response.cookies[AdminSessions.signInCookieName] = AdminSessions.cookie(csrf, maxAge: 3600, sameSite: .strict, on: request)
        return response
    }

    /// Where to go after signing in: a plain path of the admin panel, never another site. Only
    /// the characters of a URL's path and query pass (no CR/LF or other controls that could
    /// split a header, no `\\`, no `//`); anything else goes to `/admin`.
    static func safeNext(_ given: String?) -> String {
        guard let next = given, next == "/admin" || next.hasPrefix("/admin/") || next.hasPrefix("/admin?"), !next.contains("//"),
              next.unicodeScalars.allSatisfy(Self.plainPathCharacters.contains)
        else { return "/admin" }
        return next
    }

    private static let plainPathCharacters = CharacterSet(charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&%+:@")

    private func safeNext(_ request: Request, _ given: String? = nil) -> String {
        Self.safeNext(given ?? (try? request.query.get(String.self, at: "next")))
    }

    // MARK: Pages

    func whoIsIn(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        let presence = try await Self.presence(at: locations, on: request.db)
        return AdminPage.response(status: .ok, html: AdminPage.whoIsIn(presence, user: current.user, csrf: current.session.csrfToken))
    }

    /// One location's card, for the who-is-in page to swap in when something changed there.
    func locationCard(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let location = try await LocationsController.find(request)
        let presence = try await Self.presence(at: [location], on: request.db)
        return AdminPage.response(status: .ok, html: AdminPage.locationCard(presence[0], csrf: current.session.csrfToken).render())
    }

    func checkOut(request: Request) async throws -> Response {
        _ = try await request.ledger.checkOut(try Check.uuid(request, "checkInId"), at: nil, method: .admin)
        return request.redirect(to: "/admin", redirectType: .normal)
    }

    /// Who is in at each location, with names.
    static func presence(at locations: [LocationModel], on db: any Database) async throws -> [AdminPage.LocationPresence] {
        let people = Dictionary(grouping: try await Standing(db: db).whoIsIn(at: locations.compactMap(\.id)), by: \.visit.locationId)
        return locations.map { location in
            AdminPage.LocationPresence(id: location.id!, name: location.name, timeZone: location.zone.timeZone, capacity: location.capacity,
                                       people: (people[location.id!] ?? []).map { visit, name in
                                           (visit.id!, name, visit.checkedInAt, visit.method)
                                       })
        }
    }

    // MARK: Check in by hand

    func checkInForm(request: Request) async throws -> Response {
        try await checkInPage(request, status: .ok, message: nil)
    }

    struct CheckInForm: Content {
        var customerId: UUID
        var locationId: UUID
        /// `datetime-local` in the location's time zone; empty for now.
        var at: String?
    }

    func checkIn(request: Request) async throws -> Response {
        let form = try request.content.decode(CheckInForm.self)
        guard let customer = try await CustomerModel.find(form.customerId, on: request.db),
              let location = try await LocationModel.find(form.locationId, on: request.db)
        else { return try await checkInPage(request, status: .badRequest, message: .bad("That customer or location no longer exists.")) }
        var at = request.clock.now()
        if let text = form.at, !text.isEmpty {
            guard let local = AdminPage.parseLocal(text, in: location.zone.timeZone) else {
                return try await checkInPage(request, status: .badRequest, message: .bad("The time is not a date and time."))
            }
            at = try CheckInsController.time(local, field: "at", now: request.clock.now())
        }
        let stamped = !(form.at ?? "").isEmpty
        let outcome = try await request.ledger.checkIn(Ledger.Attempt(customer: customer, location: location, at: at, method: .admin, stamped: stamped))
        let message: AdminPage.Message = switch outcome {
        case .checkedIn: .good("\(customer.name) is checked in at \(location.name).")
        case .alreadyIn: .good("\(customer.name) is already in at \(location.name).")
        case .refused(let reason, _): .bad("Not checked in: \(AdminPage.words(for: reason))")
        }
        return try await checkInPage(request, status: .ok, message: message)
    }

    private func checkInPage(_ request: Request, status: HTTPStatus, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let query = ((try? request.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        // Results only once something is typed.
        let found = query.isEmpty ? [] : try await CustomerModel.query(on: request.db).matching(query).sort(\.$name).limit(20).all()
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        return AdminPage.response(status: status, html: AdminPage.checkIn(query: query, found: found, locations: locations, message: message,
                                                                          user: current.user, csrf: current.session.csrfToken))
    }

    // MARK: Customers

    func customers(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let query = ((try? request.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let found = try await CustomerModel.query(on: request.db).filter(\.$kind == CustomerKind.member.rawValue).matching(query)
            .sort(\.$name).limit(200).all()
        let plans = try await PlanModel.query(on: request.db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        return AdminPage.response(status: .ok, html: AdminPage.customers(found, plans: plans, query: query, user: current.user,
                                                                         csrf: current.session.csrfToken))
    }

    func customer(request: Request) async throws -> Response {
        try await customerPage(request, status: .ok, message: nil)
    }

    struct ImportForm: Content {
        var _csrf: String?
        var file: File
        var dryRun: String?
    }

    /// The upload form: the same import as the API's, its bad lines shown in a table.
    func importCustomers(request: Request) async throws -> Response {
        guard let current = try await AdminSessions.current(request) else { return request.redirect(to: "/admin/sign-in", redirectType: .normal) }
        let form = try request.content.decode(ImportForm.self)
        guard AdminSessions.allows(request, current, sent: form._csrf) else { return AdminPage.forbidden() }
        request.adminName = current.user.email
        let dryRun = form.dryRun == "true"
        let result: AdminPage.ImportResult, status: HTTPStatus
        do {
            guard let text = String(validating: Array(form.file.data.readableBytesView), as: UTF8.self) else {
                throw CustomerImport.Refusal(problems: [.init(line: 1, column: "", code: "not_utf8", detail: "The file is not UTF-8 text.")])
            }
            (result, status) = (.done(try await CustomerImport.run(text, dryRun: dryRun, pins: request.ledger.pins, on: request.db), dryRun: dryRun), .ok)
        } catch let refusal as CustomerImport.Refusal {
            (result, status) = (.refused(refusal.problems), .unprocessableEntity)
        }
        let found = try await CustomerModel.query(on: request.db).filter(\.$kind == CustomerKind.member.rawValue).sort(\.$name).limit(200).all()
        let plans = try await PlanModel.query(on: request.db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        return AdminPage.response(status: status, html: AdminPage.customers(found, plans: plans, query: "", imported: result, user: current.user,
                                                                            csrf: current.session.csrfToken))
    }

    /// Runs a change of the API on the page's form; shows the page again with what happened.
    private func change(_ request: Request, done: String, _ body: () async throws -> Void) async throws -> Response {
        try await AdminPage.refusals(request, render: { try await customerPage(request, status: .ok, message: $0) }) {
            try await body()
            return try await customerPage(request, status: .ok, message: .good(done))
        }
    }

    struct TokenForm: Content {
        var minutes: String?
        var maxDevices: String?
    }

    struct RateForm: Content {
        var payPrice: String
        var payIncrement: String?
        var payMinimum: String?
        var payMaximum: String?

        var fields: RateFields {
            RateFields(price: payPrice, increment: payIncrement ?? "", minimum: payMinimum ?? "", maximum: payMaximum ?? "")
        }
    }

    struct VisitTimesForm: Content {
        /// `datetime-local` values on the visit's location's clock; an empty check-out leaves it as it is.
        var checkedInAt: String
        var checkedOutAt: String?
    }

    /// The same correction as `PATCH /api/v1/check-ins/{id}`, audit-logged under the signed-in admin.
    private func correctVisit(_ request: Request) async throws {
        let form = try request.content.decode(VisitTimesForm.self)
        let customerId = try Check.uuid(request, "customerId")
        guard let visit = try await CheckInModel.find(Check.uuid(request, "checkInId"), on: request.db), visit.customerId == customerId,
              let location = try await LocationModel.find(visit.locationId, on: request.db)
        else { throw APIError.notFound("check-in") }
        func time(_ text: String?, _ field: String) throws -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = AdminPage.parseLocal(text, in: location.zone.timeZone) else {
                throw APIError.invalidRequest(field: field, detail: "is not a date and time.")
            }
            return date
        }
        _ = try await request.ledger.editTimes(try visit.requireID(), checkedInAt: try time(form.checkedInAt, "checkedInAt"),
                                               checkedOutAt: try time(form.checkedOutAt, "checkedOutAt"), actor: request.adminName)
    }

    private func customerPage(_ request: Request, status: HTTPStatus, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let customer = try await CustomersController.find(request)
        let customerId = try customer.requireID()
        let plan = try await customer.planId.asyncFlatMap { try await PlanModel.find($0, on: request.db) }
        let now = request.clock.now()
        let usage = try await CustomersController.usage(of: customer, locationId: nil, at: now, on: request.db)
        let passes = try await CustomerCredentialsController.passes(of: customer, at: now, on: request.db).map { PassDTO($0, usedSeconds: $1) }
        let cards = try await CardModel.query(on: request.db).filter(\.$customerId == customerId).sort(\.$createdAt).all()
        let visits = try await CheckInModel.query(on: request.db).filter(\.$customerId == customerId)
            .sort(\.$checkedInAt, .descending).limit(10).all()
        let locations = try await LocationModel.query(on: request.db).all().reduce(into: [UUID: LocationModel]()) { $0[$1.id!] = $1 }
        let changes = try await AuditEntryModel.query(on: request.db).filter(\.$subjectId ~~ visits.compactMap(\.id))
            .sort(\.$at, .descending).all()
        let tokens = try await AccessTokens.status(
            of: try await AccessTokenModel.query(on: request.db).filter(\.$customerId == customerId).sort(\.$createdAt).all(),
            at: now, ledger: request.ledger, on: request.db)
        // The last two months' charges, newest first.
        let charges = try await ChargesController.charges(.init(from: now - 62 * 86_400, to: now + 86_400, customerId: customerId),
                                                          now: now, ledger: request.ledger, on: request.db).reversed()
        let details = AdminPage.CustomerDetails(plan: plan, usage: usage, passes: passes, cards: cards, tokens: tokens, charges: Array(charges),
                                                currency: request.application.settings.currency, visits: visits, changes: changes,
                                                locations: locations)
        return AdminPage.response(status: status, html: AdminPage.customer(customer, details, message: message, user: current.user,
                                                                           csrf: current.session.csrfToken))
    }

    // MARK: Failed check-ins and reports

    struct AssignForm: Content {
        /// The customer's email.
        var customer: String
    }

    /// Registers an unknown card from a failed check-in to the customer it belongs to.
    func assignCard(request: Request) async throws -> Response {
        let form = try request.content.decode(AssignForm.self)
        return try await AdminPage.refusals(request, render: { try await failedPage(request, status: .ok, message: $0) }) {
            guard let failed = try await FailedCheckInModel.find(Check.uuid(request, "failedCheckInId"), on: request.db),
                  let number = failed.cardNumber
            else { throw APIError.notFound("unknown card") }
            let email = (try? CustomerInput.normalizedEmail(form.customer)) ?? ""
            guard let customer = try await CustomerModel.query(on: request.db).filter(\.$email == email).first() else {
                throw APIError.invalidRequest(field: "customer", detail: "No customer has the email \(form.customer).")
            }
            _ = try await CustomerCredentialsController.register(card: number, format: nil, to: customer, ledger: request.ledger)
            return try await failedPage(request, status: .ok, message: .good("Card \(failed.credential ?? "") now belongs to \(customer.name)."))
        }
    }

    func failedPage(_ request: Request, status: HTTPStatus, message: AdminPage.Message?) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        var query = FailedCheckInModel.query(on: request.db).sort(\.$at, .descending).limit(200)
        let reason = (try? request.query.get(String.self, at: "reason")).flatMap(ReasonCode.init(rawValue:))
        if let reason { query = query.filter(\.$reason == reason.rawValue) }
        let locationId = (try? request.query.get(String.self, at: "locationId")).flatMap(UUID.init(uuidString:))
        if let locationId { query = query.filter(\.$locationId == locationId) }
        let day = (try? request.query.get(String.self, at: "date")).flatMap(LocalDate.init)
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        if let day {
            let zone = locations.first { $0.id == locationId }?.zone ?? LocalZone(timeZone: .gmt)
            query = query.filter(\.$at >= zone.start(of: day)).filter(\.$at < zone.start(of: zone.adding(days: 1, to: day)))
        }
        let rows = try await query.all()
        let names = try await CustomerModel.query(on: request.db).filter(\.$id ~~ rows.compactMap(\.customerId)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        // Unknown cards that are still nobody's can be assigned.
        let unknownCards = rows.compactMap(\.cardNumber)
        let (holders, _) = try await request.ledger.identifyCards(unknownCards, on: request.db)
        let assignable = Set(zip(unknownCards, holders).compactMap { number, holder in
            if case .refused = holder { number } else { nil }
        })
        let customers = assignable.isEmpty ? [] : try await CustomerModel.query(on: request.db).filter(\.$kind == CustomerKind.member.rawValue)
            .sort(\.$name).limit(500).all()
        return AdminPage.response(status: status, html: AdminPage.failed(rows, names: names, locations: locations,
                                                                         filter: (reason, locationId, day), assignable: assignable,
                                                                         customers: customers, message: message, user: current.user,
                                                                         csrf: current.session.csrfToken))
    }

    func reports(request: Request) async throws -> Response {
        let current = try await AdminSessions.current(request)!
        let locations = try await LocationModel.query(on: request.db).sort(\.$name).all()
        let now = request.clock.now()
        let from = (try? request.query.get(String.self, at: "from")).flatMap(LocalDate.init)
        let to = (try? request.query.get(String.self, at: "to")).flatMap(LocalDate.init)
        let groupBy = (try? request.query.get(String.self, at: "groupBy")).flatMap(ReportsController.GroupBy.init) ?? .customer
        let locationId = (try? request.query.get(String.self, at: "locationId")).flatMap(UUID.init(uuidString:))
        let kind = (try? request.query.get(String.self, at: "kind")).flatMap(CustomerKind.init)
        // Dates on the chosen location's calendar (or UTC for all): whole days, `to` included.
        let zone = locations.first { $0.id == locationId }?.zone ?? LocalZone(timeZone: .gmt)
        let today = zone.day(of: now)
        let asked = from ?? zone.adding(days: -29, to: today), last = max(to ?? today, asked)
        // At most 367 days, as the API allows: a longer range shows its last 367 days.
        let first = max(asked, zone.adding(days: -366, to: last))
        let query = PresenceQuery(db: request.db, from: zone.start(of: first), to: zone.start(of: zone.adding(days: 1, to: last)), now: now,
                                  locationId: locationId, kind: kind)
        let items = try await query.items(by: groupBy)
        // Occupancy is per location, on its own clock: the chosen one, or each.
        var occupancy: [AdminPage.Occupancy] = []
        for location in locations where locationId == nil || location.id == locationId {
            let zone = location.zone
            let from = zone.start(of: first), to = zone.start(of: zone.adding(days: 1, to: last))
            let stays = try await PresenceQuery(db: request.db, from: from, to: to, now: now, locationId: location.id).stays()
            occupancy.append(AdminPage.Occupancy(location: location, hours: HourOccupancy.hourly(stays, from: from, to: to, zone: zone)))
        }
        let overLimit = try await Standing(db: request.db).overLimit(zone: zone, at: now)
        return AdminPage.response(status: .ok, html: AdminPage.reports(items, from: first, to: last, groupBy: groupBy, locationId: locationId, kind: kind,
                                                                       locations: locations, csvFrom: query.from, csvTo: query.to,
                                                                       occupancy: occupancy, overLimit: overLimit,
                                                                       user: current.user, csrf: current.session.csrfToken))
    }
}

/// Pages need a session; forms need its CSRF token.
struct AdminPageAuth: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let current = try await AdminSessions.current(request) else {
            let path = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/admin"
            return request.redirect(to: "/admin/sign-in?next=\(encoded)", redirectType: .normal)
        }
        let sent = request.method == .GET ? nil : (try? request.content.get(String.self, at: "_csrf")) ?? request.headers.first(name: "X-CSRF-Token")
        guard AdminSessions.allows(request, current, sent: sent) else { return AdminPage.forbidden() }
        request.adminName = current.user.email
        return try await next.respond(to: request)
    }
}
