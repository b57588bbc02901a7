import Foundation
import QRCode

/// The customer's private page: a QR code of their current member code, which changes every
/// 30 seconds. The page fetches the new code itself, so it can stay open on a phone.
enum MemberPage {
    static func html(name: String, svg: String, secondsLeft: Int, codeURL: String) -> String {
        page(title: "Member code — \(name)", style: style, body: """
            <main>
              <p class="hello">\(escapeHTML(name))</p>
              <div id="code" class="code" aria-label="Your member code">\(svg)</div>
              <p class="hint">Show this code to the scanner at the front desk.</p>
              <p class="timer"><span id="left">\(secondsLeft)</span> s until it changes</p>
            </main>
            """, script: script(codeURL: codeURL, secondsLeft: secondsLeft))
    }

    /// The code as an SVG, for the page's refresh.
    static func svg(payload: String) -> String {
        (try? QRCode(text: payload).svg(moduleSize: 8)) ?? ""
    }

    private static let style = """
        main { min-height: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center; padding: 24px; gap: 12px; text-align: center; }
        .hello { font-size: 1.6rem; font-weight: 650; margin: 0; }
        .code { background: #fff; padding: 12px; border-radius: 16px; box-shadow: 0 4px 24px rgba(20,33,61,.12); }
        .code svg { display: block; width: min(78vw, 360px); height: auto; }
        .hint { color: var(--muted); margin: 0; max-width: 28rem; }
        .timer { color: var(--muted); font-variant-numeric: tabular-nums; margin: 0; }
        """

    private static func script(codeURL: String, secondsLeft: Int) -> String {
        """
        const codeURL = \(jsString(codeURL));
        let left = \(secondsLeft);
        async function refresh() {
          try {
            const response = await fetch(codeURL, { cache: "no-store" });
            if (response.ok) {
              document.getElementById("code").innerHTML = await response.text();
              left = Number(response.headers.get("X-Seconds-Left") || 30);
            }
          } catch (error) { left = 2; }
        }
        setInterval(() => {
          left -= 1;
          if (left <= 0) { refresh(); left = 30; }
          document.getElementById("left").textContent = Math.max(left, 0);
        }, 1000);
        """
    }
}

/// A JavaScript string literal.
func jsString(_ text: String) -> String {
    let data = try? JSONEncoder().encode(text)
    return data.map { String(decoding: $0, as: UTF8.self) }?.replacingOccurrences(of: "</", with: "<\\/") ?? "\"\""
}
