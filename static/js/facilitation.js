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
    if (!region.isConnected || region.contains(document.activeElement) || !shown(region)) return;
    delete region.dataset.stale;
    window.htmx.trigger(region, "refresh");
  }, 0);
});

// -- Live regions: only what a change touched, and only what is on screen ---------------------
// The stream sends one "region-<name>" event per region a change touched, then "changed".
// The dashboard asks for all the touched regions it shows in ONE request (the answer swaps
// each in by its id, out of band); the projector's wall asks for itself. A region not on
// screen (the other tab of the projector, a closed fold, a hidden browser tab) or holding the
// focus is only marked stale, and asked for when it is shown (or the focus leaves it).
function shown(region) {
  return !document.hidden && region.getClientRects().length > 0;
}

function held(region) {
  const active = document.activeElement;
  return !!active && region.contains(active) && active.matches("input, select, textarea");
}

// The regions to ask for next, by name: while one refresh runs, the next waits and gathers.
const dueRegions = new Set();
let refreshing = null;

function refreshRegions(names) {
  names.forEach((name) => dueRegions.add(name));
  if (refreshing || !dueRegions.size) return;
  const regions = [];
  document.querySelectorAll("[data-live][data-region]").forEach((region) => {
    if (!dueRegions.has(region.dataset.region)) return;
    if (held(region) || !shown(region)) region.dataset.stale = "1"; else regions.push(region);
  });
  dueRegions.clear();
  if (!regions.length) return;
  const root = document.querySelector("[data-refresh-url]");
  if (!root) { regions.forEach((region) => window.htmx.trigger(region, "refresh")); return; }
  const url = new URL(root.dataset.refreshUrl, window.location.href);
  regions.forEach((region) => {
    // The region's own refresh URL carries its seq (since) and its options (query, page…).
    const own = new URL(region.getAttribute("hx-get"), window.location.href);
    own.searchParams.forEach((value, key) => { if (key !== "since") url.searchParams.set(key, value); });
    url.searchParams.set(region.dataset.region, own.searchParams.get("since") || "");
  });
  const done = () => { refreshing = null; refreshRegions([]); };
  refreshing = window.htmx.ajax("GET", url.pathname + url.search, { source: root, swap: "none" }).then(done, done);
}

// The projector's wall comes along the stream (facilitator/stream_push.py): swapped in as it
// comes where it is on screen and free; otherwise it is asked for as before, when shown.
function wallPushed(html) {
  const wall = document.getElementById("wall");
  if (!wall || !shown(wall) || held(wall) || wall.dataset.stale || !window.htmx) return false;
  if (html.startsWith("<template")) return wallGrown(wall, html);
  window.htmx.swap(wall, html, { swapStyle: "outerHTML" });
  const now = document.getElementById("wall");
  if (now) now.dataset.pushed = String(Number(wall.dataset.pushed || 0) + 1);
  return true;
}

// What the wall gained since the wall on screen (facilitator/wall_groups.py, delta_html):
// each kind's new stickies added to its group, and its count. Only onto the wall it was made
// against (data-seq); any other wall asks for the whole one instead.
function wallGrown(wall, html) {
  const box = document.createElement("template");
  box.innerHTML = html;
  const delta = box.content.querySelector("template[data-wall-base]");
  if (!delta || wall.dataset.seq !== delta.dataset.wallBase) return false;
  const parts = Array.from(delta.content.querySelectorAll("section[data-kind]"));
  const groups = parts.map((part) =>
    wall.querySelector(`section.kind-group[data-kind="${CSS.escape(part.dataset.kind)}"]`));
  if (groups.some((group) => !group)) return false;
  parts.forEach((part, i) => {
    groups[i].querySelector(".note-wall").append(...part.childNodes);
    groups[i].querySelector(".badge").textContent = part.dataset.count;
  });
  wall.dataset.seq = delta.dataset.wallSeq;
  const url = new URL(wall.getAttribute("hx-get"), window.location.href);
  url.searchParams.set("since", delta.dataset.wallSeq);
  wall.setAttribute("hx-get", url.pathname + url.search);
  window.htmx.process(wall);  // its refresh asks from the new seq on
  wall.dataset.pushed = String(Number(wall.dataset.pushed || 0) + 1);
  wall.dataset.grown = String(Number(wall.dataset.grown || 0) + 1);
  return true;
}

const touchedRegions = new Set();
document.addEventListener("htmx:sseMessage", (event) => {
  const type = event.detail && event.detail.type;
  if (!type) return;
  if (type.startsWith("region-")) { touchedRegions.add(type.slice(7)); return; }
  if (type === "wall") { if (wallPushed(event.detail.data)) touchedRegions.delete("wall"); return; }
  if (type !== "changed" || !touchedRegions.size) return;
  const names = [...touchedRegions];
  touchedRegions.clear();
  refreshRegions(names);
});

// A stale region is asked for as soon as it is on screen again.
function refreshShown() {
  const names = [];
  document.querySelectorAll("[data-live][data-stale]").forEach((region) => {
    if (!shown(region) || held(region)) return;
    delete region.dataset.stale;
    names.push(region.dataset.region);
  });
  refreshRegions(names);
}
document.addEventListener("visibilitychange", refreshShown);
document.addEventListener("toggle", () => setTimeout(refreshShown, 0), true);
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-view-tab]")) setTimeout(refreshShown, 0);
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

// After a queue action, keep the keyboard on the queue: focus the next waiting note (also
// when the live refresh swapped the queue in out of band).
function queueSwapped(event) {
  const target = event.detail.target;
  if (!target || target.id !== "queue" || !document.body.dataset.queueKeys) return;
  // outerHTML: the target is the old region; the new one is in the document under its id.
  const queue = document.getElementById("queue");
  if (!queue || queue.contains(document.activeElement)) return;
  const next = queue.querySelector(".pending-note");
  if (next) next.focus();
}
document.addEventListener("htmx:afterSwap", queueSwapped);
document.addEventListener("htmx:oobAfterSwap", queueSwapped);
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
function countsSwapped(event) {
  if (event.detail.target && event.detail.target.id === "counts") foldJoin();
}
document.addEventListener("htmx:afterSwap", countsSwapped);
document.addEventListener("htmx:oobAfterSwap", countsSwapped);
