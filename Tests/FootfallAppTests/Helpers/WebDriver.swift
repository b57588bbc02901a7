import Foundation
import TestSupport
import Testing
import Vapor

/// A real headless Chromium, driven through chromedriver's W3C WebDriver protocol.
final class Browser: @unchecked Sendable {
    private let driver: Process
    private let client: any Client
    private var base = ""
    private var session = ""

    static let chromedriver = "/usr/bin/chromedriver"
    static let chromium = "/usr/bin/chromium"

    init(client: any Client, width: Int, height: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.chromedriver) else {
            throw BrowserError("chromedriver is missing: scripts/test installs Debian's chromium and chromium-driver")
        }
        // The driver takes a free port and says which: a port picked here could be one the
        // system has just given to another connection or server of the suite.
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=0", "--log-path=/dev/null"]
        let output = Pipe()
        driver.standardOutput = output
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        self.client = client
        do {
            // A driver that never says its port is ended, which ends the read.
            let driver = self.driver
            let watchdog = Task {
                try await Task.sleep(for: .seconds(20))
                if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
            }
            defer { watchdog.cancel() }
            let port = try await offThePool { try Self.announcedPort(output.fileHandleForReading) }
            base = "http://127.0.0.1:\(port)"
            for _ in 0..<100 {
                if (try? await call(.GET, "/status", timeout: 2)) != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let created = try await call(.POST, "/session", [
                "capabilities": ["alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": Self.chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
                    ] as [String: Any],
                ] as [String: Any]],
            ])
            session = try #require((created as? [String: Any])?["sessionId"] as? String)
        } catch {
            await end()
            throw error
        }
    }

    /// Reads the driver's start-up lines up to "…started successfully on port N."
    private static func announcedPort(_ output: FileHandle) throws -> Int {
        var text = ""
        while true {
            let data = output.availableData
            guard !data.isEmpty else { throw BrowserError("chromedriver ended before it said its port: \(text)") }
            text += String(decoding: data, as: UTF8.self)
            if let said = text.range(of: "started successfully on port ") {
                let rest = text[said.upperBound...]
                // The line is whole once the number is followed by its full stop.
                guard rest.drop(while: \.isNumber).first == "." else { continue }
                guard let port = Int(rest.prefix(while: \.isNumber)), port > 0 else { throw BrowserError("chromedriver said: \(text)") }
                return port
            }
        }
    }

    func close() async {
        _ = try? await call(.DELETE, "/session/\(session)", timeout: 10)
        await end()
    }

    /// SIGKILL: the driver inherits the test process's blocked signals, so SIGTERM would wait.
    /// The browser too, in case the driver could not end it: left running, it would keep its
    /// page's connections (an events stream among them) open to the test's server. Only while
    /// the driver runs: its browser is its child then, and its process id is not another's.
    private func end() async {
        if driver.isRunning { killProcessTree(driver.processIdentifier) }
        await waitForExit(driver)
    }

    func open(_ url: String) async throws { _ = try await call(.POST, "/session/\(session)/url", ["url": url]) }

    func resize(width: Int, height: Int) async throws {
        _ = try await call(.POST, "/session/\(session)/window/rect", ["width": width, "height": height])
    }

    func element(_ css: String) async throws -> String {
        let found = try await call(.POST, "/session/\(session)/element", ["using": "css selector", "value": css])
        let reference = try #require(found as? [String: Any])
        return try #require(reference.values.first as? String, "no element \(css)")
    }

    func click(_ css: String) async throws { _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/click", [:]) }

    /// Types into the element as a keyboard (or a reader acting as one) would; `\u{E007}` is Enter.
    func type(_ text: String, into css: String) async throws {
        _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/value", ["text": text])
    }

    /// Empties an input or text area.
    func clear(_ css: String) async throws { _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/clear", [:]) }

    func text(_ css: String) async throws -> String {
        try await call(.GET, "/session/\(session)/element/\(try await element(css))/text") as? String ?? ""
    }

    /// Waits up to `seconds` for the element's text to satisfy the condition; returns the last text.
    @discardableResult
    func waitForText(_ css: String, seconds: Double = 10, _ condition: (String) -> Bool) async throws -> String {
        var last = ""
        let deadline = Date() + seconds
        while Date() < deadline {
            // The page may be changing under us (a navigation, a swapped card): ask again.
            last = (try? await text(css)) ?? last
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// Runs asynchronous JavaScript in the page; the script calls `done(value)` with its result.
    func evaluate(_ script: String) async throws -> Any? {
        try await call(.POST, "/session/\(session)/execute/async", ["script": "const done = arguments[arguments.length - 1];\n" + script, "args": []])
    }

    /// Whether an element matching the selector is on the page.
    func exists(_ css: String) async throws -> Bool {
        let found = try await call(.POST, "/session/\(session)/elements", ["using": "css selector", "value": css])
        return !((found as? [Any]) ?? []).isEmpty
    }

    func screenshot(to path: String) async throws {
        let encoded = try #require(try await call(.GET, "/session/\(session)/screenshot") as? String)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try #require(Data(base64Encoded: encoded)).write(to: URL(fileURLWithPath: path))
    }

    /// The page printed to PDF by the browser (WebDriver's print), on paper of this size in
    /// centimetres with 1 cm margins.
    func printPDF(width: Double, height: Double) async throws -> Data {
        let encoded = try #require(try await call(.POST, "/session/\(session)/print", [
            "page": ["width": width, "height": height], "margin": ["top": 1, "bottom": 1, "left": 1, "right": 1], "background": true,
        ]) as? String)
        return try #require(Data(base64Encoded: encoded))
    }

    @discardableResult
    private func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, timeout: Int64 = 60) async throws -> Any? {
        // A test stuck here says which command it waits for.
        StuckTests.step("WebDriver \(method) \(path)")
        defer { StuckTests.step("after WebDriver \(method) \(path)") }
        let response = try await client.send(method, to: URI(string: base + path)) { request in
            request.timeout = .seconds(timeout)
            if let body {
                request.headers.contentType = .json
                request.body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
            }
        }
        guard let buffer = response.body, let json = try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw BrowserError("WebDriver \(method) \(path): no JSON answer")
        }
        if response.status.code >= 400 { throw BrowserError("WebDriver \(method) \(path): \(json)") }
        return json["value"]
    }
}

struct BrowserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where tests leave screenshots for people to look at: `artifacts/` at the package root.
func artifactPath(_ name: String, filePath: String = #filePath) -> String {
    var url = URL(fileURLWithPath: filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("artifacts").appendingPathComponent(name).path
}
