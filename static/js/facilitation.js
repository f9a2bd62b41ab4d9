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

// Keyboard shortcuts on the focused note of the queue: A approve, H hide, E edit its label.
// Not while typing in a field (the label itself takes every key).
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const note = event.target.closest && event.target.closest(".pending-note");
  if (!note || event.target.matches("input, select, textarea")) return;
  const key = event.key.toLowerCase();
  if (key === "e") {
    const field = note.querySelector("[data-edit]");
    if (field) { event.preventDefault(); field.focus(); field.select(); }
    return;
  }
  const button = note.querySelector(`button[data-key="${key}"]`);
  if (button) { event.preventDefault(); button.click(); }
});

// After a queue action, keep the keyboard on the queue: focus the next waiting note.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || target.id !== "queue" || !document.body.dataset.queueKeys) return;
  // outerHTML: the target is the old region; the new one is in the document under its id.
  const queue = document.getElementById("queue");
  if (!queue || queue.contains(document.activeElement)) return;
  const next = queue.querySelector(".pending-note");
  if (next) next.focus();
});
document.addEventListener("keydown", (event) => {
  if (event.target.closest && event.target.closest(".pending-note")) document.body.dataset.queueKeys = "1";
});
document.addEventListener("mousedown", () => { delete document.body.dataset.queueKeys; });

// The join QR folds away once phones have joined (the projector shows it to the room); a
// facilitator who opens it again keeps it open.
function foldJoin() {
  const join = document.getElementById("join");
  const counts = document.querySelector("[data-count=joined]");
  if (!join || !counts || join.dataset.touched) return;
  if (Number(counts.dataset.joined || 0) > 0 && join.open) { join.dataset.auto = "1"; join.open = false; }
}
document.addEventListener("toggle", (event) => {
  if (event.target.id !== "join") return;
  if (event.target.dataset.auto) delete event.target.dataset.auto; else event.target.dataset.touched = "1";
}, true);
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "counts") foldJoin();
});
