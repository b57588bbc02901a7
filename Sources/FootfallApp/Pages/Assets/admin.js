// The admin panel's two live parts. Served as a file of its own (not inline), so that the
// panel's Content-Security-Policy allows no inline script.

// Who is in: when the events stream tells of a check-in or check-out at a location, that
// location's card is fetched again and swapped in; no reload. A burst of events (a busy Wi-Fi
// floor, a class arriving) costs one fetch per location, a quarter second later.
if (document.querySelector("[data-live]")) {
  const source = new EventSource("/api/v1/events/stream");
  const pending = new Map();
  async function refresh(locationId) {
    pending.delete(locationId);
    const card = document.querySelector(`[data-location="${CSS.escape(locationId)}"]`);
    if (!card) return;
    const response = await fetch(`/admin/locations/${encodeURIComponent(locationId)}/card`, { headers: { Accept: "text/html" } });
    // Signed out meanwhile: the answer is the sign-in page, which is no card.
    if (response.ok && !response.redirected) card.outerHTML = await response.text();
  }
  function changed(locationId) {
    if (!pending.has(locationId)) pending.set(locationId, setTimeout(() => refresh(locationId), 250));
  }
  for (const name of ["check_in", "check_out"]) {
    source.addEventListener(name, (event) => changed(JSON.parse(event.data).locationId));
  }
}

// Check in: search as you type; the results part of the same page, fetched after a short pause.
const search = document.querySelector("[data-search-as-you-type]");
if (search) {
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(`/admin/check-in?q=${encodeURIComponent(search.value)}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const results = page.getElementById("results");
      if (!results) { location.reload(); return; }  // signed out meanwhile: the sign-in page
      document.getElementById("results").replaceWith(results);
      history.replaceState(null, "", `?q=${encodeURIComponent(search.value)}`);
    }, 250);
  });
  search.setSelectionRange(search.value.length, search.value.length);
}

// The visitor sheet's print button.
for (const button of document.querySelectorAll("[data-print]")) button.addEventListener("click", () => window.print());
