/// CSV as the server writes it (RFC 4180, CRLF line ends), safe to open in a spreadsheet.
enum CSV {
    /// One text cell: a value that a spreadsheet would take as a formula (starting with `=`, `+`,
    /// `-`, `@`, tab or carriage return) gets a leading `'`; then quoted where RFC 4180 asks.
    static func text(_ value: String) -> String {
        let safe = value.unicodeScalars.first.map(formulaStarts.contains) == true ? "'" + value : value
        return safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
    }

    /// A line of cells already made with `text` (or numbers), ended by CRLF.
    static func line(_ cells: [String]) -> String { cells.joined(separator: ",") + "\r\n" }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
