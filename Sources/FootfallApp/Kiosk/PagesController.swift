import Fluent
import Vapor

/// The kiosk page and the customers' member-code pages.
struct PagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("kiosk", use: kiosk)
        routes.get("member", ":secret", use: member)
        routes.get("member", ":secret", "code.svg", use: memberCode)
    }

    func kiosk(request: Request) async throws -> Response {
        html(KioskPage.html)
    }

    func member(request: Request) async throws -> Response {
        let customer = try await customer(request)
        let (payload, secondsLeft) = try currentCode(customer, request)
        let url = "/member/\(customer.memberSecret)/code.svg"
        return html(MemberPage.html(name: customer.name, svg: MemberPage.svg(payload: payload), secondsLeft: secondsLeft, codeURL: url))
    }

    func memberCode(request: Request) async throws -> Response {
        let (payload, secondsLeft) = try currentCode(try await customer(request), request)
        let response = Response(status: .ok, body: .init(string: MemberPage.svg(payload: payload)))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml")
        response.headers.replaceOrAdd(name: "X-Seconds-Left", value: String(secondsLeft))
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    private func customer(_ request: Request) async throws -> CustomerModel {
        guard let secret = request.parameters.get("secret"), secret.count >= 16,
              let customer = try await CustomerModel.query(on: request.db).filter(\.$memberSecret == secret).first(),
              customer.active
        else { throw APIError.notFound("member page") }
        return customer
    }

    private func currentCode(_ customer: CustomerModel, _ request: Request) throws -> (payload: String, secondsLeft: Int) {
        let now = request.clock.now()
        let totp = request.ledger.memberCodes.totp(memberSecret: customer.memberSecret)
        let payload = MemberCode(customerId: try customer.requireID(), code: totp.code(at: now)).payload
        let secondsLeft = Int(totp.step - now.timeIntervalSince1970.truncatingRemainder(dividingBy: totp.step).rounded(.down))
        return (payload, max(1, secondsLeft))
    }

    private func html(_ text: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Asset.contentSecurityPolicy)
        // A member page is a credential: no shared or browser cache may keep it.
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}
