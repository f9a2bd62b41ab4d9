// Participant phone screens. No inline scripts (CSP: script-src 'self').
"use strict";

(function () {
  // --- IME safety: Enter that confirms a Japanese conversion must never submit a form. ------
  let composing = false;
  let lastCompositionEnd = -1;

  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function (event) {
    composing = false;
    // Safari sends the confirming Enter's keydown just after compositionend.
    lastCompositionEnd = event.timeStamp;
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    const imeBusy = event.isComposing || composing || event.keyCode === 229 ||
      (lastCompositionEnd >= 0 && event.timeStamp - lastCompositionEnd < 60);
    if (imeBusy) {
      event.preventDefault();
      return;
    }
    // The name searches live inside the tie form: Enter there searches, it never sends.
    if (target.type === "search" && target.closest("#tie-form")) {
      event.preventDefault();
    }
  }, true);

  // --- Name pickers: a result button fills the hidden input and shows the chosen name. ------
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.pick");
    if (!button) return;
    const field = button.dataset.field;
    const hidden = document.getElementById("tie-" + field);
    const chosen = document.getElementById("tie-" + field + "-chosen");
    const search = document.getElementById("tie-" + field + "-q");
    const results = document.getElementById("tie-" + field + "-results");
    if (!hidden || !chosen) return;
    hidden.value = button.dataset.id;
    chosen.textContent = "✓ " + button.dataset.name;
    if (search) search.value = "";
    if (results) results.replaceChildren();
  });

  // --- "My notes" polls itself; do not replace it while someone is editing a note. ----------
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (!elt || elt.id !== "mine" || event.detail.requestConfig.verb !== "get") return;
    if (elt.querySelector("details[open]") || elt.contains(document.activeElement)) {
      event.preventDefault();
    }
  });

  // --- Errors htmx does not swap (403, 404, 429 …): say so in the status line. --------------
  document.addEventListener("htmx:responseError", function (event) {
    const toast = document.getElementById("toast");
    const xhr = event.detail.xhr;
    if (!toast || !xhr || !xhr.responseText) return;
    const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const text = doc.querySelector("p") ? doc.querySelector("p").textContent : "";
    toast.textContent = text.trim();
    toast.className = "message error";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const toast = document.getElementById("toast");
    if (toast && event.detail.successful && toast.classList.contains("error")) {
      toast.textContent = "";
      toast.className = "";
    }
  });
})();
