import Foundation

extension DeviceEventAnswer {
    /// The answer as `RFC3339.jsonEncoder()` writes it, byte for byte (sorted keys, absent
    /// fields left out, `null` for a check-in's empty ones), written out by hand: every device
    /// event's answer is made in the ledger writer's turn, one after another, and `JSONEncoder`
    /// took a third of the per-event time there (see BENCHMARKS.md).
    var json: String {
        var out = JSONText()
        out.object {
            if let checkIn { $0.member("checkIn") { checkIn.write(to: &$0) } }
            if let customer {
                $0.member("customer") { out in
                    out.object {
                        $0.member("id", customer.id)
                        $0.member("name", customer.name)
                    }
                }
            }
            if let reason { $0.member("reason", reason.rawValue) }
            $0.member("result", result.rawValue)
        }
        return out.text
    }
}

extension CheckInDTO {
    /// As `RFC3339.jsonEncoder()` writes it, for the events stream; see `DeviceEventAnswer.json`.
    var json: String {
        var out = JSONText()
        write(to: &out)
        return out.text
    }

    /// As `encode(to:)` with sorted keys; see `DeviceEventAnswer.json`.
    func write(to out: inout JSONText) {
        out.object {
            $0.member("admittedBy") { out in
                out.object {
                    switch admittedBy {
                    case .plan(let id): $0.member("plan", id)
                    case .pass(let id): $0.member("pass", id)
                    case .accessToken(let id): $0.member("accessToken", id)
                    case .payAsYouGo: $0.member("payAsYouGo", true)
                    case .nothing: break
                    }
                }
            }
            $0.member("checkOutMethod", checkOutMethod)
            $0.member("checkedInAt", checkedInAt)
            $0.member("checkedOutAt", checkedOutAt)
            $0.member("customerId", customerId)
            $0.member("deviceId", deviceId)
            $0.member("id", id)
            $0.member("locationId", locationId)
            $0.member("method", method)
        }
    }
}

/// JSON text as `RFC3339.jsonEncoder()` writes it, for the few answers written by hand: members
/// in the order given (callers give them sorted), strings escaped as `JSONEncoder` escapes them
/// (quote, backslash and control characters; not `/`, nor anything beyond ASCII).
struct JSONText {
    private(set) var text: String

    init() {
        text = ""
        text.reserveCapacity(512)
    }

    /// An object; `body` adds its members.
    mutating func object(_ body: (inout Members) -> Void) {
        text.append("{")
        var members = Members(out: self)
        text = ""  // the members hold the only reference to the text, so appending copies nothing
        body(&members)
        self = members.out
        text.append("}")
    }

    struct Members {
        fileprivate var out: JSONText
        private var first = true

        fileprivate init(out: JSONText) { self.out = out }

        /// A member whose value `value` writes.
        mutating func member(_ name: String, _ value: (inout JSONText) -> Void) {
            if !first { out.text.append(",") }
            first = false
            out.string(name)
            out.text.append(":")
            value(&out)
        }

        mutating func member(_ name: String, _ value: String?) {
            member(name) { out in if let value { out.string(value) } else { out.text.append("null") } }
        }

        mutating func member(_ name: String, _ value: UUID?) { member(name, value?.canonicalText) }

        mutating func member(_ name: String, _ value: Date?) { member(name, value.map(RFC3339.format)) }

        mutating func member(_ name: String, _ value: Bool) { member(name) { $0.text.append(value ? "true" : "false") } }
    }

    /// JSON text already written, as it is.
    mutating func raw(_ json: String) { text.append(json) }

    private mutating func string(_ value: String) {
        text.append("\"")
        defer { text.append("\"") }
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            text.append(value)
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case "\u{08}": text.append("\\b")
            case "\u{0C}": text.append("\\f")
            case ..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
