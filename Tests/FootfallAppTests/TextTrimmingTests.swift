@testable import FootfallApp
import Foundation
import Testing
import TestSupport

@Suite("Trimming a device's event id and value")
struct TextTrimmingTests {
    /// Text from pieces that are and are not whitespace, ASCII and not: spaces, tabs, line
    /// breaks, no-break and ideographic spaces, the next-line and line-separator characters,
    /// letters, digits, an accented letter built from a combining mark, an emoji.
    private static let pieces = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "a", "Z", "7", "-", "e\u{301}",
                                 "\u{1F600}", "\u{7F}", "\u{1}"]

    @Test func itTrimsExactlyAsFoundationDoes() {
        var random = SeededGenerator.fromEnvironment()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
            for set in [CharacterSet.whitespaces, .whitespacesAndNewlines] {
                #expect(Array(text.trimming(set).unicodeScalars) == Array(text.trimmingCharacters(in: set).unicodeScalars),
                        "\(text.unicodeScalars.map { String($0.value, radix: 16) }) (seed \(random.seed))")
            }
        }
    }
}
