// A customer's member code: a new QR code every 30 seconds, fetched by the page itself so that
// it can stay open on a phone. Where to fetch it and how long the current one lasts come from
// the page's data attributes.
const code = document.getElementById("code");
const codeURL = code.dataset.codeUrl;
let left = Number(code.dataset.secondsLeft);
async function refresh() {
  try {
    const response = await fetch(codeURL, { cache: "no-store" });
    if (response.ok) {
      code.innerHTML = await response.text();
      left = Number(response.headers.get("X-Seconds-Left") || 30);
    }
  } catch (error) { left = 2; }
}
setInterval(() => {
  left -= 1;
  if (left <= 0) { refresh(); left = 30; }
  document.getElementById("left").textContent = Math.max(left, 0);
}, 1000);
