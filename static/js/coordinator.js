// The coordinator's pages: copy the summary, print the report, move through the history.
"use strict";
(function () {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      const done = () => { button.dataset.copied = "yes"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  // The history slider: show the number while dragging, load that point when let go.
  document.querySelectorAll("input[type=range][data-autosubmit]").forEach((range) => {
    const out = document.getElementById(range.id + "-out");
    range.addEventListener("input", () => { if (out) out.textContent = range.value; });
    range.addEventListener("change", () => range.form.requestSubmit());
  });
})();
