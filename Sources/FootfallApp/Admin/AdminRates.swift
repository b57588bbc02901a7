import FootfallCore
import Foundation

/// The pay-as-you-go rate as four form fields in the currency's major units, on the plan form
/// and the customer page alike; an empty price is no rate.
struct RateFields: Sendable {
    var price = ""
    var increment = ""
    var minimum = ""
    var maximum = ""

    init(price: String = "", increment: String = "", minimum: String = "", maximum: String = "") {
        self.price = price
        self.increment = increment
        self.minimum = minimum
        self.maximum = maximum
    }

    init(_ rate: PayAsYouGoRate?, currency: String) {
        guard let rate else { return }
        price = Money.major(Int64(rate.price), currency)
        increment = String(rate.increment)
        minimum = rate.dailyMinimum.map { Money.major(Int64($0), currency) } ?? ""
        maximum = rate.dailyMaximum.map { Money.major(Int64($0), currency) } ?? ""
    }

    /// The API's input: the rate, or null to take it away.
    func patch(currency: String) throws -> Patch<RateDTO> {
        guard let price = try Money.parse(price, currency, field: "payAsYouGo.price") else { return .null }
        return .value(RateDTO(price: price, increment: try FormField.whole(increment, "payAsYouGo.increment"),
                              dailyMinimum: try Money.parse(minimum, currency, field: "payAsYouGo.dailyMinimum"),
                              dailyMaximum: try Money.parse(maximum, currency, field: "payAsYouGo.dailyMaximum")))
    }
}

extension RateDTO {
    init(price: Int, increment: Int?, dailyMinimum: Int?, dailyMaximum: Int?) {
        self.price = price
        self.increment = increment
        self.dailyMinimum = dailyMinimum
        self.dailyMaximum = dailyMaximum
    }
}

extension AdminPage {
    /// The rate's fields, named `payPrice`, `payIncrement`, `payMinimum`, `payMaximum`.
    static func rateFields(_ rate: RateFields, currency: String) -> Node {
        fieldset {
            legend { "Pay-as-you-go (\(currency); empty price: none)" }
            div(.class("filters")) {
                div { label(.for("payPrice")) { "Price per step" }; input(.id("payPrice"), .name("payPrice"), .inputmode("decimal"), .value(rate.price)) }
                div {
                    label(.for("payIncrement")) { "Step (minutes)" }
                    input(.id("payIncrement"), .name("payIncrement"), .inputmode("numeric"), .value(rate.increment), .placeholder("15"))
                }
                div { label(.for("payMinimum")) { "Daily minimum" }; input(.id("payMinimum"), .name("payMinimum"), .inputmode("decimal"), .value(rate.minimum)) }
                div { label(.for("payMaximum")) { "Daily maximum" }; input(.id("payMaximum"), .name("payMaximum"), .inputmode("decimal"), .value(rate.maximum)) }
            }
        }
    }

    /// A rate in words: "2.50 EUR per 15 min, at least 3.00 EUR, at most 20.00 EUR a day".
    static func rateText(_ rate: PayAsYouGoRate?, currency: String) -> String {
        guard let rate else { return "none" }
        var text = "\(Money.format(Int64(rate.price), currency)) per \(rate.increment) min"
        if let minimum = rate.dailyMinimum { text += ", at least \(Money.format(Int64(minimum), currency))" }
        if let maximum = rate.dailyMaximum { text += ", at most \(Money.format(Int64(maximum), currency))" }
        return rate.dailyMinimum == nil && rate.dailyMaximum == nil ? text : text + " a day"
    }
}
