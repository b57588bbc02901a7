import Vapor

public enum DemoData {
    public static func load(into app: Application) async throws -> String { "" }
}
