import Foundation

/// Amounts in minor units (cents), shown and typed in the currency's major units in the admin
/// panel: "2.50" is 250 EUR cents, "300" is 300 yen. Exact decimal text both ways, never
/// floating point.
enum Money {
    /// ISO 4217 currencies whose minor unit is not a hundredth.
    private static let digits: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0,
        "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]

    static func minorDigits(_ currency: String) -> Int { digits[currency] ?? 2 }

    /// `2.50`, without the currency.
    static func major(_ minor: Int64, _ currency: String) -> String {
        let places = minorDigits(currency)
        guard places > 0 else { return String(minor) }
        let scale = Int64(pow(10, Double(places)))
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let fraction = String(magnitude % UInt64(scale))
        return "\(sign)\(magnitude / UInt64(scale)).\(String(repeating: "0", count: places - fraction.count))\(fraction)"
    }

    /// `2.50 EUR`.
    static func format(_ minor: Int64, _ currency: String) -> String { "\(major(minor, currency)) \(currency)" }

    /// Major units as typed ("2.5", "2,50", "3") in minor units; nil for an empty field.
    static func parse(_ text: String, _ currency: String, field: String) throws -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !trimmed.isEmpty else { return nil }
        let places = minorDigits(currency)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        guard parts.count <= 2, !whole.isEmpty, whole.count <= 9, fraction.count <= places,
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }), let units = Int(whole),
              let cents = places == 0 ? 0 : Int(fraction + String(repeating: "0", count: places - fraction.count))
        else {
            throw APIError.invalidRequest(field: field, detail: "must be an amount in \(currency)\(places > 0 ? " with at most \(places) decimals" : "").")
        }
        return units * Int(pow(10, Double(places))) + cents
    }
}
