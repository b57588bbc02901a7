import Foundation

extension String {
    /// `trimmingCharacters(in:)` for the whitespace sets, answered without Foundation when
    /// neither end is a space or a control character (as in nearly every device event): on
    /// Linux, Foundation copies the text into an `NSString` and back to trim it.
    ///
    /// Every character of `.whitespaces` and `.whitespacesAndNewlines` is either ASCII at or
    /// below U+0020 or not ASCII at all, so text that begins and ends with a printable ASCII
    /// character has nothing to trim.
    func trimming(_ set: CharacterSet) -> String {
        guard let first = utf8.first, let last = utf8.last, Self.isPrintableASCII(first), Self.isPrintableASCII(last) else {
            return trimmingCharacters(in: set)
        }
        return self
    }

    private static func isPrintableASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}
