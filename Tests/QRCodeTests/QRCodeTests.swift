import Foundation
import QRCode
import Testing
import TestSupport

@Suite("QR codes")
struct QRCodeTests {
    @Test func versionGrowsWithTheLength() throws {
        #expect(try QRCode(text: String(repeating: "a", count: 14)).version == 1)
        #expect(try QRCode(text: String(repeating: "a", count: 15)).version == 2)
        #expect(try QRCode(text: String(repeating: "a", count: 62)).version == 4)
        #expect(try QRCode(text: String(repeating: "a", count: 213)).version == 10)
        #expect(try QRCode(text: "x").size == 21)
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 214, maximum: 213)) { try QRCode(text: String(repeating: "a", count: 214)) }
    }

    @Test func findersSitInThreeCorners() throws {
        let code = try QRCode(text: "FFM-0123")
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(code.isDark(x: x, y: y) && code.isDark(x: x + 6, y: y + 6))
            #expect(!code.isDark(x: x + 1, y: y + 1))
            #expect(code.isDark(x: x + 3, y: y + 3))
        }
        #expect(code.isDark(x: 8, y: code.size - 8)) // the dark module
    }

    /// Renders the SVG with librsvg and reads it back with zbar: decoders no one here wrote.
    @Test(arguments: [
        "FFM-1",
        "FFM-8a1f0c2e9b7d4e61a3c5f7e9d1b3a5c7-492817",
        "https://footfall.example/member/3q2-7HkLzP0aXvW9mYcR4tUeSg8",
        String(repeating: "Footfall member code ", count: 10).trimmingCharacters(in: .whitespaces),
    ])
    func svgDecodesToTheExactPayload(_ payload: String) async throws {
        let code = try QRCode(text: payload)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svg = folder.appendingPathComponent("code.svg"), png = folder.appendingPathComponent("code.png")
        try code.svg(moduleSize: 6).write(to: svg, atomically: true, encoding: .utf8)
        _ = try await runTool("/usr/bin/rsvg-convert", ["-o", png.path, svg.path])
        let decoded = try await runTool("/usr/bin/zbarimg", ["--quiet", "--raw", "-Sbinary", png.path])
        #expect(decoded == payload, "version \(code.version)")
    }

}
