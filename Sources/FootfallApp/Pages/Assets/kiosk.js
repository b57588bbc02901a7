// The front-desk kiosk: a PIN pad, and an input that is always focused so that a USB or
// Bluetooth card or QR reader acting as a keyboard can type into it. Served as a file of its
// own, so that the page's Content-Security-Policy allows no inline script.
const storageKey = "footfall.kiosk";
// Refusals in the customer's words: the server's one table of wordings, given in the page.
const reasons = JSON.parse(document.getElementById("kiosk").dataset.reasons);
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

// The next person starts typing while the last answer still shows: the answer goes, and its
// reset, due a few seconds after it appeared, no longer clears the digits typed since. A PIN
// left half typed is cleared after a while without a key.
function startTyping() {
  clearTimeout(resetTimer);
  const message = $("message");
  if (message.textContent) { message.textContent = ""; message.className = "message"; }
  resetTimer = setTimeout(() => { pin = ""; renderPin(); }, 20000);
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
  if (button.dataset.digit !== undefined) { startTyping(); if (pin.length < 8) { pin += button.dataset.digit; renderPin(); } }
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
