// Tsunagari page behaviour shared by every screen. No inline scripts (CSP: script-src 'self').
"use strict";

// A mirrored laptop (Win+P "duplicate") must not betray anyone: Esc hides every private panel
// at once (the inspector, flags, what-if), and a panel's ✕ closes it.
function hidePrivatePanels() {
  document.querySelectorAll("[data-private-panel]").forEach((panel) => {
    if (panel.tagName === "DETAILS") panel.open = false; else panel.hidden = true;
  });
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") hidePrivatePanels();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-close-panel]");
  if (!button) return;
  const panel = button.closest("[data-private-panel]");
  if (panel) panel.hidden = true;
});
