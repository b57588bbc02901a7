/// The front-desk kiosk: a PIN pad, and an input that is always focused so that a USB or
/// Bluetooth card or QR reader acting as a keyboard can type into it (characters, then Enter).
///
/// It is enrolled once per tablet with a kiosk device's id and key (kept in the browser's
/// local storage) and posts device events with that key.
enum KioskPage {
    static let html = page(title: "Footfall kiosk", style: style, body: body, script: script)

    private static let body = """
        <main id="enrol" hidden>
          <h1>Set up this kiosk</h1>
          <p>Enter the id and key of a kiosk device (Devices → new kiosk in the admin panel, or <code>POST /api/v1/devices</code>).</p>
          <form id="enrol-form">
            <label>Device id <input id="enrol-id" name="deviceId" autocomplete="off" required></label>
            <label>Device key <input id="enrol-key" name="deviceKey" type="password" autocomplete="off" required></label>
            <button type="submit" id="enrol-save">Save</button>
          </form>
        </main>
        <main id="kiosk" hidden>
          <header>
            <h1>Welcome</h1>
            <p class="sub">Enter your PIN, tap your card or show your member code</p>
          </header>
          <section id="message" class="message" role="status" aria-live="polite"></section>
          <section class="pad-area">
            <div id="pin-display" class="pin-display" aria-label="PIN entered"></div>
            <div class="pad" id="pad">
              <button data-digit="1">1</button><button data-digit="2">2</button><button data-digit="3">3</button>
              <button data-digit="4">4</button><button data-digit="5">5</button><button data-digit="6">6</button>
              <button data-digit="7">7</button><button data-digit="8">8</button><button data-digit="9">9</button>
              <button id="clear" class="secondary" aria-label="Clear">Clear</button><button data-digit="0">0</button>
              <button id="ok" class="primary" aria-label="OK">OK</button>
            </div>
          </section>
          <input id="scan" class="scan" autocomplete="off" autocapitalize="off" spellcheck="false" aria-label="Card or code reader input">
          <footer><button id="forget" class="link">Kiosk settings</button></footer>
        </main>
        """

    private static let style = """
        main { min-height: 100%; display: flex; flex-direction: column; align-items: center; padding: 24px; gap: 16px; }
        #enrol { justify-content: center; max-width: 32rem; margin: 0 auto; }
        #enrol form { display: grid; gap: 12px; width: 100%; }
        #enrol input { width: 100%; font-size: 1.1rem; padding: 10px; border: 1px solid #c9ccd1; border-radius: 8px; }
        header { text-align: center; }
        h1 { margin: 8px 0 4px; font-size: clamp(1.8rem, 5vw, 2.6rem); }
        .sub { margin: 0; color: var(--muted); font-size: clamp(1rem, 2.6vw, 1.25rem); }
        .message { min-height: 3.2em; font-size: clamp(1.4rem, 4.5vw, 2.2rem); font-weight: 650; text-align: center; padding: 8px 16px;
                   border-radius: 14px; max-width: 40rem; display: flex; align-items: center; justify-content: center; }
        .message.ok { color: #fff; background: var(--accent); }
        .message.bad { color: #fff; background: var(--bad); }
        .pin-display { height: 2.2rem; font-size: 2rem; letter-spacing: .5rem; text-align: center; }
        .pad { display: grid; grid-template-columns: repeat(3, minmax(72px, 112px)); gap: 14px; }
        .pad button { aspect-ratio: 1.25; font-size: clamp(1.6rem, 5vw, 2.2rem); border: none; border-radius: 18px; background: #fff;
                      box-shadow: 0 2px 8px rgba(20,33,61,.12); color: var(--ink); touch-action: manipulation; }
        .pad button:active { transform: scale(.97); background: #e9ecef; }
        .pad button.primary { background: var(--accent); color: #fff; font-size: clamp(1.2rem, 4vw, 1.6rem); }
        .pad button.secondary { font-size: clamp(1rem, 3.5vw, 1.3rem); color: var(--muted); }
        .scan { position: absolute; left: -9999px; width: 1px; height: 1px; opacity: 0; }
        footer { margin-top: auto; }
        .link { background: none; border: none; color: var(--muted); text-decoration: underline; font-size: .9rem; }
        button { cursor: pointer; font-family: inherit; }
        #enrol-save { font-size: 1.1rem; padding: 12px; border: none; border-radius: 10px; background: var(--accent); color: #fff; }
        @media (max-width: 420px) { .pad { gap: 10px; grid-template-columns: repeat(3, minmax(64px, 96px)); } }
        """

    private static let script = """
        const storageKey = "footfall.kiosk";
        const reasons = {
          pin_locked: "Too many wrong PINs. PIN entry is paused for a few minutes; please use your card or ask at the desk.",
          code_locked: "Too many wrong codes. Code scanning is paused for a few minutes; please use your card or ask at the desk.",
          unknown_credential: "We don't recognise that PIN, card or code.",
          customer_inactive: "Your membership is not active. Please ask at the desk.",
          location_full: "Sorry, we are full right now.",
          location_closed: "Sorry, we are closed right now.",
          plan_location_not_allowed: "Your plan does not include this location.",
          outside_access_hours: "Your plan does not allow access at this time.",
          plan_limit_reached: "You have used your plan's allowance for this period.",
          no_valid_pass: "You have no valid pass for today."
        };
        const $ = (id) => document.getElementById(id);
        let settings = JSON.parse(localStorage.getItem(storageKey) || "null");
        let pin = "";
        let resetTimer = null;
        let keyTimes = [];

        function enrolFromFragment() {
          const params = new URLSearchParams(location.hash.slice(1));
          if (params.get("device") && params.get("key")) {
            settings = { deviceId: params.get("device"), key: params.get("key") };
            localStorage.setItem(storageKey, JSON.stringify(settings));
            history.replaceState(null, "", location.pathname);
          }
        }

        function show() {
          $("enrol").hidden = !!settings;
          $("kiosk").hidden = !settings;
          if (settings) focusScan();
        }

        function focusScan() { if (document.activeElement !== $("scan")) $("scan").focus({ preventScroll: true }); }

        function renderPin() { $("pin-display").textContent = "•".repeat(pin.length); }

        function say(text, kind) {
          const message = $("message");
          message.textContent = text;
          message.className = "message " + (kind || "");
          clearTimeout(resetTimer);
          resetTimer = setTimeout(() => { message.textContent = ""; message.className = "message"; pin = ""; renderPin(); focusScan(); }, 5000);
        }

        function describe(answer) {
          const name = answer.customer ? answer.customer.name : "";
          switch (answer.result) {
            case "checked_in": return ["Welcome, " + name, "ok"];
            case "checked_out": return ["Goodbye, " + name, "ok"];
            case "already_in": return ["You're already checked in, " + name, "ok"];
            case "not_checked_in": return ["You're not checked in here, " + name, "bad"];
            case "ignored_repeat": return ["Got it, " + name, "ok"];
            case "refused": return [reasons[answer.reason] || "Sorry, that did not work.", "bad"];
            default: return ["Sorry, that did not work.", "bad"];
          }
        }

        async function send(type, value) {
          const eventId = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
          for (let attempt = 0; attempt < 3; attempt++) {
            try {
              const response = await fetch("/api/v1/devices/" + encodeURIComponent(settings.deviceId) + "/events", {
                method: "POST",
                headers: { "Content-Type": "application/json", "Authorization": "Bearer " + settings.key },
                body: JSON.stringify({ eventId, type, value })
              });
              if (response.status === 401 || response.status === 403) { say("This kiosk is not set up correctly. Please ask at the desk.", "bad"); return; }
              const answer = await response.json();
              if (!response.ok) { say("Sorry, that did not work.", "bad"); return; }
              const [text, kind] = describe(answer);
              say(text, kind);
              return;
            } catch (error) {
              await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
            }
          }
          say("No connection to the server. Please try again.", "bad");
        }

        function submitPin() {
          if (pin.length < 4) { say("Enter your 4 to 8 digit PIN.", "bad"); return; }
          const value = pin; pin = ""; renderPin();
          send("pin", value);
        }

        // What a keyboard typed: a reader types fast and ends with Enter; a person types slowly.
        function submitTyped(value) {
          const typedFast = keyTimes.length > 3 && (keyTimes[keyTimes.length - 1] - keyTimes[0]) / (keyTimes.length - 1) < 35;
          keyTimes = [];
          if (/^FFM-/i.test(value)) { send("member_code", value); return; }
          if (!typedFast && /^[0-9]{4,8}$/.test(value)) { send("pin", value); return; }
          send("card", value);
        }

        $("enrol-form").addEventListener("submit", (event) => {
          event.preventDefault();
          settings = { deviceId: $("enrol-id").value.trim(), key: $("enrol-key").value.trim() };
          localStorage.setItem(storageKey, JSON.stringify(settings));
          show();
        });
        $("forget").addEventListener("click", () => {
          if (confirm("Remove this kiosk's device key from this tablet?")) { localStorage.removeItem(storageKey); settings = null; show(); }
        });
        $("pad").addEventListener("click", (event) => {
          const button = event.target.closest("button");
          if (!button) return;
          if (button.dataset.digit !== undefined) { if (pin.length < 8) { pin += button.dataset.digit; renderPin(); } }
          else if (button.id === "clear") { pin = ""; renderPin(); }
          else if (button.id === "ok") { submitPin(); }
          focusScan();
        });
        $("scan").addEventListener("keydown", (event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            const value = $("scan").value.trim();
            $("scan").value = "";
            if (value) submitTyped(value);
          } else if (event.key.length === 1) {
            keyTimes.push(performance.now());
          }
        });
        document.addEventListener("click", (event) => { if (!$("kiosk").hidden && !event.target.closest("#enrol")) focusScan(); });
        $("scan").addEventListener("blur", () => setTimeout(() => { if (!$("kiosk").hidden) focusScan(); }, 0));

        enrolFromFragment();
        show();
        """
}
