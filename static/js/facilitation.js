// Facilitator dashboard and projector. No inline scripts (CSP: script-src 'self').
"use strict";

// A live region must not be replaced under the facilitator's hands: while a field in it has
// focus, an SSE refresh is put off and done as soon as the focus leaves the region.
document.addEventListener("htmx:beforeRequest", (event) => {
  const region = event.detail.elt;
  if (!region.matches || !region.matches("[data-live]")) return;
  const active = document.activeElement;
  if (active && region.contains(active) && active.matches("input, select, textarea")) {
    event.preventDefault();
    region.dataset.stale = "1";
  }
});

document.addEventListener("focusout", (event) => {
  const region = event.target.closest && event.target.closest("[data-live][data-stale]");
  if (!region) return;
  setTimeout(() => {
    if (!region.isConnected || region.contains(document.activeElement)) return;
    delete region.dataset.stale;
    window.htmx.trigger(region, "refresh");
  }, 0);
});

// Show whether the live line is open (the Wi-Fi in a hall drops now and then).
function liveStatus(state) {
  document.querySelectorAll("[data-live-status]").forEach((el) => {
    el.dataset.state = state;
    el.textContent = state === "ok" ? el.dataset.ok : el.dataset.lost;
  });
}
document.addEventListener("htmx:sseOpen", () => liveStatus("ok"));
document.addEventListener("htmx:sseError", () => liveStatus("lost"));
