import Crypto
import Foundation
import Vapor

/// A stylesheet or script of the pages: a real file under `Sources/FootfallApp/Pages/Assets`, built
/// into the binary (`embedInCode`, so a static build carries it), served at `/assets/<name>`.
/// Its URL names a digest of its bytes, so browsers may keep it for a year: a new build with a
/// changed file gives it a new URL.
struct Asset: Sendable {
    let name: String
    let contentType: HTTPMediaType
    let bytes: [UInt8]
    let version: String

    private init(_ name: String, _ contentType: HTTPMediaType, _ bytes: [UInt8]) {
        self.name = name
        self.contentType = contentType
        self.bytes = bytes
        self.version = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    var url: String { "/assets/\(name)?v=\(version)" }

    private static let script = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])

    static let base = Asset("base.css", .css, PackageResources.base_css)
    static let admin = Asset("admin.css", .css, PackageResources.admin_css)
    static let adminScript = Asset("admin.js", script, PackageResources.admin_js)
    static let kiosk = Asset("kiosk.css", .css, PackageResources.kiosk_css)
    static let kioskScript = Asset("kiosk.js", script, PackageResources.kiosk_js)
    static let member = Asset("member.css", .css, PackageResources.member_css)
    static let memberScript = Asset("member.js", script, PackageResources.member_js)
    static let sheet = Asset("sheet.css", .css, PackageResources.sheet_css)

    static let all: [String: Asset] = Dictionary(uniqueKeysWithValues: [base, admin, adminScript, kiosk, kioskScript, member, memberScript, sheet].map { ($0.name, $0) })

    /// What every page of this server may load: its own files, nothing inline, nothing from
    /// elsewhere (`data:` images for nothing but the browser's own form controls).
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

/// Serves the assets: long-lived when asked for by their versioned URL, revalidated otherwise.
struct AssetsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assets", ":name", use: serve)
    }

    func serve(request: Request) async throws -> Response {
        guard let asset = request.parameters.get("name").flatMap({ Asset.all[$0] }) else { throw APIError.notFound("asset") }
        let etag = "\"\(asset.version)\""
        var headers: HTTPHeaders = ["ETag": etag, "X-Content-Type-Options": "nosniff"]
        headers.contentType = asset.contentType
        headers.replaceOrAdd(name: .cacheControl, value: request.query[String.self, at: "v"] == asset.version
            ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate")
        if request.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(data: Data(asset.bytes)))
    }
}
