/// The front-desk kiosk: a PIN pad, and an input that is always focused so that a USB or
/// Bluetooth card or QR reader acting as a keyboard can type into it (characters, then Enter).
///
/// It is enrolled once per tablet with a kiosk device's id and key (kept in the browser's
/// local storage) and posts device events with that key. Its behaviour is `Assets/kiosk.js`.
enum KioskPage: HTMLVocabulary {
    static let html = document(title: "Footfall kiosk", styles: [.base, .kiosk], scripts: [.kioskScript]) {
        main(.id("enrol"), .hidden) {
            h1 { "Set up this kiosk" }
            p {
                "Enter the id and key of a kiosk device (Devices → new kiosk in the admin panel, or "
                code { "POST /api/v1/devices" }
                ")."
            }
            form(.id("enrol-form")) {
                label { "Device id "; input(.id("enrol-id"), .name("deviceId"), .autocomplete("off"), .required) }
                label { "Device key "; input(.id("enrol-key"), .name("deviceKey"), .type("password"), .autocomplete("off"), .required) }
                button(.type("submit"), .id("enrol-save")) { "Save" }
            }
        }
        main(.id("kiosk"), .hidden, .data("data-reasons", ReasonWording.customerJSON)) {
            header {
                h1 { "Welcome" }
                p(.class("sub")) { "Enter your PIN, tap your card or show your member code" }
            }
            section(.id("message"), .class("message"), .role("status"), HTMLAttribute("aria-live", "polite"))
            section(.class("pad-area")) {
                div(.id("pin-display"), .class("pin-display"), .ariaLabel("PIN entered"))
                div(.class("pad"), .id("pad")) {
                    for digit in 1...9 { button(.data("data-digit", String(digit))) { String(digit) } }
                    button(.id("clear"), .class("secondary"), .ariaLabel("Clear")) { "Clear" }
                    button(.data("data-digit", "0")) { "0" }
                    button(.id("ok"), .class("primary"), .ariaLabel("OK")) { "OK" }
                }
            }
            input(.id("scan"), .class("scan"), .autocomplete("off"), HTMLAttribute("autocapitalize", "off"), HTMLAttribute("spellcheck", "false"),
                  .ariaLabel("Card or code reader input"))
            footer { button(.id("forget"), .class("link")) { "Kiosk settings" } }
        }
    }
}
