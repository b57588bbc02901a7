import Vapor

enum OpenAPIDocument {
    static func response() -> Response {
        Response(status: .ok, body: .init(string: "{}"))
    }
}
