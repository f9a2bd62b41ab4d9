// Participant phone screens. No inline scripts (CSP: script-src 'self').
//
// Never silent, never lost: what is typed is kept on the phone (localStorage) across reloads;
// a note or tie is put in an outbox on the phone before it is sent, with an idempotency key,
// and sent again by itself once the signal is back (the server answers a repeated key with
// the original, so a retry never makes a second one). Every outcome is said in the toast at
// the bottom of the screen. The stage is polled every second (ETag, mostly 304 answers).
"use strict";

(function () {
  const POLL_MS = 1000;
  const SEND_TIMEOUT_MS = 10000;
  const OK_TOAST_MS = 6000;
  const RETRY_MS = [2000, 4000, 8000];
  const DETAIL_CHARS = 40; // what the toast repeats of a note: enough to know which one

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

  // --- The page ------------------------------------------------------------------------------
  const phone = document.getElementById("phone");
  const texts = phone ? phone.dataset : {};
  const storeKey = function (what) { return "tsunagari:" + texts.session + ":" + what; };

  function load(what, fallback) {
    try {
      const raw = window.localStorage.getItem(storeKey(what));
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save(what, value) {
    try {
      if (value === null) window.localStorage.removeItem(storeKey(what));
      else window.localStorage.setItem(storeKey(what), JSON.stringify(value));
    } catch (e) { /* private mode or full: the page still works, only reloads forget */ }
  }

  function newKey() {
    // crypto.randomUUID needs a secure context; plain http on the hall's LAN is not one.
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // --- The toast: what just happened, in view ----------------------------------------------
  let toastTimer = null;

  let lastForm = null;

  function toast(kind, message, detail) {
    const box = document.getElementById("toast");
    if (!box || !message) return;
    window.clearTimeout(toastTimer);
    box.className = kind;
    box.replaceChildren(document.createTextNode(message));
    if (detail) {
      const more = document.createElement("span");
      more.className = "toast-detail";
      more.textContent = detail.length > DETAIL_CHARS ? detail.slice(0, DETAIL_CHARS) + "…" : detail;
      box.appendChild(more);
    }
    keepClear(box);
    if (kind === "ok") toastTimer = window.setTimeout(clearToast, OK_TOAST_MS);
  }

  // A tap on the toast puts it away (it never stays over a button the resident needs).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#toast")) clearToast();
  });

  function clearToast() {
    const box = document.getElementById("toast");
    if (!box) return;
    box.replaceChildren();
    box.className = "";
    const main = document.getElementById("main");
    if (main) main.style.paddingBottom = "";
  }

  // The toast must not cover the button just pressed: leave room below the page and scroll.
  function keepClear(box) {
    const main = document.getElementById("main");
    if (main) main.style.paddingBottom = (box.offsetHeight + 24) + "px";
    const button = lastForm && lastForm.isConnected && lastForm.querySelector("[type=submit]");
    if (!button) return;
    const overlap = button.getBoundingClientRect().bottom - box.getBoundingClientRect().top + 8;
    if (overlap > 0) window.scrollBy(0, overlap);
  }

  function waiting() {
    return load("outbox", []).filter(function (item) { return !item.held; }).length;
  }

  function sayWaiting(message) {
    const n = waiting();
    toast("wait", message, n ? texts.msgWaiting.replace("{n}", String(n)) : "");
  }

  // --- Swapping fragments in by id ----------------------------------------------------------
  function swapIn(html, ids, keepAsSent) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const swapped = [];
    ids.forEach(function (id) {
      const fresh = doc.getElementById(id);
      const old = document.getElementById(id);
      if (!fresh || !old) return;
      fresh.removeAttribute("hx-swap-oob");
      // A form the server gave back with what was sent is not overwritten by the draft.
      if (keepAsSent) fresh.querySelectorAll("form[data-send]").forEach(markRestored);
      if (keepAsSent && fresh.dataset.send) markRestored(fresh);
      old.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
      swapped.push(fresh);
    });
    restoreForms();
    return swapped;
  }

  // The sentence of an answer that says what happened: the sent message, else the first
  // error (a field's, or the error page's). Only the app's own pages say it: a bare answer
  // (a proxy's, the server's own 413, an empty body) gives "" and the caller says why.
  function messageOf(html) {
    const doc = new DOMParser().parseFromString(html || "", "text/html");
    const order = ["#sent-message", "p[role=alert]", "[role=alert] p"];
    for (let i = 0; i < order.length; i += 1) {
      const p = doc.querySelector(order[i]);
      if (p && p.textContent.trim()) return p.textContent.trim();
    }
    return "";
  }

  function mineIsBusy() {
    const mine = document.getElementById("mine");
    return !!mine && (mine.querySelector("details[open]") !== null ||
      mine.contains(document.activeElement));
  }

  // --- Drafts: every field of the note and tie forms, kept across reloads -------------------
  function fieldsOf(form) {
    const fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "q") fields.push([name, String(value)]);
    });
    return fields;
  }

  function chosenCards(form) {
    const cards = {};
    form.querySelectorAll(".chosen-card").forEach(function (card) {
      if (card.classList.contains("is-chosen")) cards[card.id] = card.dataset.chosen || "";
    });
    return cards;
  }

  function saveDraft(form) {
    save("draft-" + form.dataset.send, { fields: fieldsOf(form), cards: chosenCards(form) });
  }

  function restoreDraft(form) {
    const draft = load("draft-" + form.dataset.send, null);
    if (!draft) return;
    const text = form.querySelector("#note-text");
    if (text && text.value) return; // the server gave the form back with what was typed
    draft.fields.forEach(function (pair) {
      const name = pair[0];
      const value = pair[1];
      if (name === "csrf_token") return;
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.value === value) input.checked = true;
        } else {
          input.value = value;
        }
      });
    });
    Object.keys(draft.cards || {}).forEach(function (id) {
      const card = document.getElementById(id);
      if (card && draft.cards[id]) showChosen(card, JSON.parse(draft.cards[id]));
    });
  }

  // --- Name pickers: a result fills the hidden input and the big chosen-person card ---------
  function showChosen(card, chosen) {
    card.replaceChildren();
    if (!chosen) {
      const none = document.createElement("span");
      none.className = "chosen-none";
      none.textContent = card.dataset.empty;
      card.appendChild(none);
      card.classList.remove("is-chosen");
      delete card.dataset.chosen;
      return;
    }
    const parts = [["chosen-icon", chosen.icon], ["chosen-name", chosen.name],
      ["chosen-kind", chosen.kind]];
    parts.forEach(function (part) {
      const el = document.createElement(part[0] === "chosen-name" ? "strong" : "span");
      el.className = part[0];
      el.textContent = part[1] || "";
      if (part[0] === "chosen-icon") el.setAttribute("aria-hidden", "true");
      card.appendChild(el);
    });
    card.classList.add("is-chosen");
    card.dataset.chosen = JSON.stringify(chosen);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.pick");
    if (!button) return;
    const field = button.dataset.field;
    const hidden = document.getElementById("tie-" + field);
    const card = document.getElementById("tie-" + field + "-chosen");
    const search = document.getElementById("tie-" + field + "-q");
    const results = document.getElementById("tie-" + field + "-results");
    if (!hidden || !card) return;
    hidden.value = button.dataset.id;
    showChosen(card, { name: button.dataset.name, kind: button.dataset.kind,
      icon: button.dataset.icon });
    if (search) search.value = "";
    if (results) results.replaceChildren();
    saveDraft(hidden.form);
    card.scrollIntoView({ block: "nearest" });
  });

  // --- Choosing a kind brings the text field and the send button into view -----------------
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.form || !input.form.dataset.send) return;
    saveDraft(input.form);
    if (input.name === "kind" && input.form.id === "note-form") {
      const button = input.form.querySelector("[type=submit]");
      if (button) button.scrollIntoView({ block: "nearest" });
    }
  });
  document.addEventListener("input", function (event) {
    const form = event.target.form;
    if (form && form.dataset.send) saveDraft(form);
  });

  // --- The outbox: sent once, however often it is tried ------------------------------------
  let sending = false;
  let retryTimer = null;
  let unreachable = false; // the last try found no server (not a 429: that one waits)
  let attempt = 0;

  function problemBeforeSending(form) {
    const value = function (name) {
      const input = form.querySelector("[name='" + name + "']:checked, input[type=hidden][name='" + name + "']");
      return input ? input.value : "";
    };
    if (form.dataset.send === "note") {
      if (!value("kind")) return texts.msgNoKind;
      if (!form.querySelector("#note-text").value.trim()) return texts.msgNoText;
    } else {
      if (!value("source") || !value("target")) return texts.msgNoNames;
      if (!value("kind")) return texts.msgNoTieKind;
    }
    return "";
  }

  function labelOf(form) {
    if (form.dataset.send === "note") return form.querySelector("#note-text").value.trim();
    const names = [];
    form.querySelectorAll(".chosen-card .chosen-name").forEach(function (el) {
      names.push(el.textContent);
    });
    return names.join(" → ");
  }

  function afterQueued(form) {
    // A new draft with a new key; a note keeps its kind, a tie keeps who helps and the kind.
    form.querySelector("[name=idempotency_key]").value = newKey();
    if (form.dataset.send === "note") {
      form.querySelector("#note-text").value = "";
      const hint = document.getElementById("diagnosis-hint");
      if (hint) hint.replaceChildren();
      const anyway = form.querySelector("[name=send_anyway]");
      if (anyway) anyway.checked = false;
    } else {
      const target = document.getElementById("tie-target");
      const card = document.getElementById("tie-target-chosen");
      if (target) target.value = "";
      if (card) showChosen(card, null);
      form.querySelectorAll("[name=season]").forEach(function (r) { r.checked = false; });
    }
    saveDraft(form);
  }

  function submit(form) {
    const problem = problemBeforeSending(form);
    if (problem) {
      toast("error", problem);
      return;
    }
    const outbox = load("outbox", []);
    outbox.push({ key: form.querySelector("[name=idempotency_key]").value, form: form.dataset.send,
      url: form.action, fields: fieldsOf(form), label: labelOf(form), cards: chosenCards(form) });
    save("outbox", outbox);
    lastForm = form;
    afterQueued(form);
    flush();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!phone || !form.dataset || !form.dataset.send) return;
    event.preventDefault();
    submit(form);
  });

  function formIsFree(kind) {
    if (kind === "note") {
      const text = document.getElementById("note-text");
      return !!text && !text.value.trim();
    }
    const target = document.getElementById("tie-target");
    return !!target && !target.value;
  }

  function drop(key) {
    save("outbox", load("outbox", []).filter(function (item) { return item.key !== key; }));
  }

  function update(key, changes) {
    save("outbox", load("outbox", []).map(function (item) {
      return item.key === key ? Object.assign(item, changes) : item;
    }));
  }

  function retryLater(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); },
      delay || RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
    attempt += 1;
  }

  function post(item) {
    const body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    const controller = new AbortController();
    const timer = window.setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin", signal: controller.signal,
      headers: { "HX-Request": "true", "Accept": "text/html" },
    }).then(function (response) {
      return response.text().then(function (html) { return { response: response, html: html }; });
    }).finally(function () { window.clearTimeout(timer); });
  }

  function flush() {
    if (sending || !phone) return;
    const items = load("outbox", []);
    const free = { note: formIsFree("note"), tie: formIsFree("tie") };
    const item = items.find(function (it) { return !it.held || free[it.form]; });
    if (!item) return;
    if (!navigator.onLine) {
      sayWaiting(texts.msgOffline);
      return; // the "online" event sends it
    }
    sending = true;
    post(item).then(function (answer) {
      sending = false;
      handle(item, answer.response, answer.html);
    }, function () {
      sending = false;
      unreachable = true;
      sayWaiting(navigator.onLine ? texts.msgUnreachable : texts.msgOffline);
      if (navigator.onLine) retryLater();
    });
  }

  function handle(item, response, html) {
    const status = response.status;
    unreachable = status >= 500;
    if (response.ok) {
      attempt = 0;
      drop(item.key);
      swapIn(html, mineIsBusy() ? [] : ["mine"]);
      toast("ok", messageOf(html) || texts.msgSent, item.label);
      flush();
      return;
    }
    if (status === 401 && response.headers.get("HX-Redirect")) {
      window.location.assign(response.headers.get("HX-Redirect")); // the outbox stays
      return;
    }
    if (status === 422) {
      // The server refused what was typed and says why: the form comes back with it, unless
      // something new is being typed; then the note waits until the form is free.
      if (!formIsFree(item.form)) {
        update(item.key, { held: true });
        toast("error", texts.msgHeld, item.label);
        return;
      }
      drop(item.key);
      const formId = item.form === "note" ? "note-form" : "tie-form";
      const swapped = swapIn(html, [formId], true);
      if (swapped.length) {
        lastForm = swapped[0];
        saveDraft(swapped[0]);
        swapped[0].scrollIntoView({ block: "start" });
      }
      toast("error", messageOf(html), item.label);
      flush();
      return;
    }
    if (status === 429 || status >= 500) {
      // Slowed down, or the server is restarting: said in view, tried again by itself.
      const wait = Number(response.headers.get("Retry-After")) * 1000;
      const said = status === 429 ? messageOf(html) || texts.msgSlowed : texts.msgServerTrouble;
      toast(status === 429 ? "error" : "wait", said, item.label);
      retryLater(wait > 0 ? wait : null);
      return;
    }
    // 400, 403 (the stage, a closed session, a blocked phone), 404, 413: it cannot be sent;
    // say so, and give what was written back to the form (when it is free) so it is not lost.
    drop(item.key);
    if (formIsFree(item.form)) giveBack(item);
    toast("error", messageOf(html) || refusal(status), item.label);
    flush();
  }

  function refusal(status) {
    if (status === 413) return texts.msgTooBig;
    if (status === 403) return texts.msgRefused;
    return texts.msgNotSent;
  }

  // What was sent, back in its form (a new key: the refused one is spent on nothing).
  function giveBack(item) {
    const form = document.getElementById(item.form === "note" ? "note-form" : "tie-form");
    if (!form) return;
    const cards = item.cards || {};
    item.fields.forEach(function (pair) {
      if (pair[0] === "csrf_token" || pair[0] === "idempotency_key") return;
      form.querySelectorAll("[name='" + pair[0] + "']").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") input.checked = input.value === pair[1];
        else input.value = pair[1];
      });
    });
    Object.keys(cards).forEach(function (id) {
      const card = document.getElementById(id);
      if (card && cards[id]) showChosen(card, JSON.parse(cards[id]));
    });
    saveDraft(form);
  }

  window.addEventListener("online", function () {
    attempt = 0;
    if (waiting()) flush();
    else toast("ok", texts.msgBack);
  });
  window.addEventListener("offline", function () {
    sayWaiting(waiting() ? texts.msgOffline : texts.msgNoSignal);
  });

  // --- The stage: a cheap conditional poll; the new section is announced and shown ---------
  let etag = null;
  let shownMine = null;

  function typing() {
    const text = document.getElementById("note-text");
    return !!text && document.activeElement === text && !!text.value.trim();
  }

  function refresh(phase) {
    const before = phone.dataset.stage;
    const url = texts.mineUrl + "?stage=" + encodeURIComponent(before);
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin",
      cache: "no-store" }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (html) {
        const ids = mineIsBusy() ? [] : ["mine"];
        if (phase !== before) ids.push("tie-section", "note-section");
        swapIn(html, ids);
        phone.dataset.stage = phase;
        if (phase !== before) announce(phase);
      });
    });
  }

  function announce(phase) {
    const ties = document.getElementById("tie-form");
    if (phase === "ties" && ties) {
      restoreForms();
      toast("ok", texts.msgTies);
      if (!typing()) ties.scrollIntoView({ block: "start", behavior: "smooth" });
    } else {
      const section = document.getElementById("note-section");
      const ended = document.getElementById("session-ended");
      if (ended) toast("ok", ended.textContent.trim());
      else if (phase === "notes") toast("ok", texts.msgNotes);
      if (section && !typing()) section.scrollIntoView({ block: "start" });
    }
  }

  function poll() {
    if (document.hidden || !navigator.onLine) return;
    const headers = etag ? { "If-None-Match": etag } : {};
    fetch(texts.pollUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // The laptop answers again (it was restarting): what waits goes now, not at the
        // next retry.
        if ((response.ok || response.status === 304) && unreachable && retryTimer !== null &&
            !sending) {
          window.clearTimeout(retryTimer);
          retryTimer = null;
          attempt = 0;
          flush();
        }
        if (response.status === 304 || !response.ok) return;
        etag = response.headers.get("ETag");
        return response.json().then(function (state) {
          const moved = state.phase !== phone.dataset.stage;
          const mineChanged = shownMine !== null && state.mine !== shownMine;
          shownMine = state.mine;
          if (moved || mineChanged) return refresh(state.phase);
        });
      })
      .catch(function () { /* no signal: the next poll tries again */ });
  }

  // --- Start ---------------------------------------------------------------------------------
  function markRestored(form) { form.dataset.restored = "1"; }

  function restoreForms() {
    document.querySelectorAll("form[data-send]").forEach(function (form) {
      if (form.dataset.restored) return;
      markRestored(form);
      restoreDraft(form);
    });
  }

  if (phone) {
    restoreForms();
    if (load("outbox", []).length) flush();
    window.setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
    poll();
    phone.dataset.ready = "1"; // for the browser tests: the page's script has taken over
  }

  // --- No request without a signal; "my notes" is not replaced while a note is changed -----
  document.addEventListener("htmx:beforeRequest", function (event) {
    // Without a signal a hint or a search cannot come back; the toast already says why.
    if (!navigator.onLine) {
      event.preventDefault();
      return;
    }
    const elt = event.detail.elt;
    if (!elt || elt.id !== "mine" || event.detail.requestConfig.verb !== "get") return;
    if (mineIsBusy()) event.preventDefault();
  });

  // --- Errors htmx does not swap (403, 404, 429 …) and lost connections: said in view -------
  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr) return;
    toast("error", messageOf(xhr.responseText) || String(xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    if (phone) sayWaiting(navigator.onLine ? texts.msgUnreachable : texts.msgNoSignal);
  });
})();
