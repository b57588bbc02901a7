import Foundation
import QRCode

/// The customer's private page: a QR code of their current member code, which changes every
/// 30 seconds. The page fetches the new code itself (`Assets/member.js`), so it can stay open on
/// a phone.
enum MemberPage: HTMLVocabulary {
    static func html(name: String, svg: String, secondsLeft: Int, codeURL: String) -> String {
        document(title: "Member code — \(name)", styles: [.base, .member], scripts: [.memberScript]) {
            main {
                p(.class("hello")) { name }
                div(.id("code"), .class("code"), .ariaLabel("Your member code"),
                    .data("data-code-url", codeURL), .data("data-seconds-left", String(secondsLeft))) {
                    // Markup this server drew from the code's bits: no text from anyone in it.
                    Node.trusted(svg)
                }
                p(.class("hint")) { "Show this code to the scanner at the front desk." }
                p(.class("timer")) { span(.id("left")) { String(secondsLeft) }; " s until it changes" }
            }
        }
    }

    /// The code as an SVG, for the page's refresh.
    static func svg(payload: String) -> String {
        (try? QRCode(text: payload).svg(moduleSize: 8)) ?? ""
    }
}
