// The community-building tree: draws the server's payload with vis-network and keeps it
// live. Every text goes in as text (textContent, vis labels on canvas, string titles).
"use strict";
(function () {
  const el = document.getElementById("tree");
  if (!el || typeof vis === "undefined") return;
  const BANDS = ["roots", "soil", "trunk", "branches", "leaves", "fruit"];
  const PRIVATE = el.dataset.private === "yes";
  const i18n = document.getElementById("i18n").dataset;
  const params = new URLSearchParams();
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  let network = null;
  let revealed = BANDS.length - 1;
  let bandNames = {};
  let selected = null;
  let loading = null;
  let again = false;
  let wanted = 0; // the newest seq the stream announced

  function text(tag, value, cls) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (cls) node.className = cls;
    return node;
  }

  const applied = new WeakMap(); // set → id → the JSON of the item as last applied
  function sync(set, items) {
    // Only what changed goes to vis: it measures and lays out every item it is given, and a
    // change of one note would otherwise cost the whole picture on a slow projector laptop.
    const before = applied.get(set) || new Map();
    const now = new Map();
    const changed = [];
    items.forEach((item) => {
      const json = JSON.stringify(item);
      now.set(item.id, json);
      if (before.get(item.id) !== json) changed.push(item);
    });
    set.remove(set.getIds().filter((id) => !now.has(id)));
    set.update(changed);
    applied.set(set, now);
  }

  // A delta brought along the stream (facilitator/tree_delta.py): the items that changed
  // since the picture on screen, and the ids of those gone.
  function patch(set, items, removed) {
    const now = applied.get(set) || new Map();
    removed.forEach((id) => now.delete(id));
    set.remove(removed);
    const changed = [];
    items.forEach((item) => {
      const json = JSON.stringify(item);
      if (now.get(item.id) !== json) { now.set(item.id, json); changed.push(item); }
    });
    set.update(changed);
    applied.set(set, now);
  }

  function applyReveal() {
    const updates = nodes.get().filter((n) => !!n.hidden !== BANDS.indexOf(n.band) > revealed)
      .map((n) => ({ id: n.id, hidden: BANDS.indexOf(n.band) > revealed }));
    if (updates.length) nodes.update(updates);
    const status = document.getElementById("reveal-status");
    if (status) {
      status.textContent = revealed >= BANDS.length - 1 ? i18n.all
        : `${i18n.step} ${BANDS.slice(0, revealed + 1).map((b) => bandNames[b] || b).join(" → ")}`;
    }
  }

  let scene = null;
  let pinned = new Set(); // the notes the facilitator put by hand

  // The drawing under the notes (DESIGN.md §5): soil, roots, trunk, limbs and canopy, in
  // canvas coordinates from the server (graph/layout.py tree_scene).
  function drawScene(ctx) {
    const s = scene;
    if (!s || !s.ground) return;
    const t = s.trunk;
    ctx.save();
    // Soil: the earth below the ground line, and the grass on it.
    const depth = 900;
    const earth = ctx.createLinearGradient(0, 0, 0, depth);
    earth.addColorStop(0, "#e9d8bd");
    earth.addColorStop(1, "#f7efe2");
    ctx.fillStyle = earth;
    ctx.fillRect(s.ground.left, 0, s.ground.right - s.ground.left, depth);
    ctx.fillStyle = "#7cb342";
    ctx.fillRect(s.ground.left, -8, s.ground.right - s.ground.left, 10);
    ctx.fillStyle = "#6d4c41";
    ctx.font = "bold 34px sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText(i18n.soil || "土", s.ground.left + 16, 12);
    // Roots: curved strands from the trunk's base to every rooted household.
    ctx.strokeStyle = "rgba(121, 85, 72, 0.55)";
    ctx.lineCap = "round";
    s.roots.forEach(([x, y]) => {
      ctx.lineWidth = 5;
      ctx.beginPath();
      ctx.moveTo(t.x + Math.sign(x) * t.base_width * 0.3, t.base);
      ctx.bezierCurveTo(t.x + x * 0.15, t.base + (y - t.base) * 0.7, x, t.base + 10, x, y);
      ctx.stroke();
    });
    // Canopy: the outline of the crown, then its leaves over the inner edges.
    ctx.fillStyle = "#d4eac0";
    ctx.strokeStyle = "#6a9a45";
    ctx.lineWidth = 8;
    s.canopy.forEach(([x, y, r]) => { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke(); });
    s.canopy.forEach(([x, y, r]) => { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); });
    // Trunk: as wide as the load it carries, flaring into the ground.
    const bw = t.base_width / 2;
    const tw = t.top_width / 2;
    ctx.fillStyle = "#8d5a2b";
    ctx.strokeStyle = "#5d3a1a";
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(t.x - bw * 1.8, t.base);
    ctx.quadraticCurveTo(t.x - bw, t.base - 20, t.x - bw, t.base - 60);
    ctx.lineTo(t.x - tw, t.top);
    ctx.lineTo(t.x + tw, t.top);
    ctx.lineTo(t.x + bw, t.base - 60);
    ctx.quadraticCurveTo(t.x + bw, t.base - 20, t.x + bw * 1.8, t.base);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    // Limbs: from the top of the trunk out to every branch.
    ctx.strokeStyle = "#8d5a2b";
    s.limbs.forEach(([x, y]) => {
      ctx.lineWidth = Math.max(6, t.top_width * 0.45);
      ctx.beginPath();
      ctx.moveTo(t.x, t.top + 20);
      ctx.quadraticCurveTo(t.x + x * 0.35, t.top - 10, x, y);
      ctx.stroke();
    });
    if (s.needs) {
      ctx.fillStyle = "#9a5b00";
      ctx.font = "bold 26px sans-serif";
      ctx.textBaseline = "bottom";
      ctx.textAlign = "center";
      ctx.fillText(i18n.needs || "困りごと", s.needs.x, s.needs.y - 44);
    }
    ctx.restore();
  }

  // Where a running easing is taking the view: a note that arrives meanwhile is checked
  // against where the view will be, not where it is (it would be left out otherwise).
  let aim = null;
  let easing = 0; // the number of the latest move: an older easing stops
  function moveView(position, scale, animated) {
    easing += 1;
    const mine = easing;
    if (!animated) { aim = null; network.moveTo({ position: position, scale: scale }); return; }
    // Eased by the clock, not by frames (vis's own animation counts frames, so a busy
    // projector laptop drawing 10 frames a second would take six times as long).
    aim = { x: position.x, y: position.y, scale: scale };
    const from = network.getViewPosition();
    const s0 = network.getScale();
    const t0 = performance.now();
    function step(now) {
      if (mine !== easing) return;
      const t = Math.min(1, Math.max(0, (now - t0) / 600));
      const e = t < 0.5 ? 2 * t * t : 1 - ((2 - 2 * t) ** 2) / 2;
      network.moveTo({ position: { x: from.x + (position.x - from.x) * e, y: from.y + (position.y - from.y) * e },
        scale: s0 + (scale - s0) * e });
      if (t < 1) window.requestAnimationFrame(step); else aim = null;
    }
    window.requestAnimationFrame(step);
  }

  function viewRect() {
    if (aim) {
      const w = el.clientWidth / aim.scale / 2;
      const h = el.clientHeight / aim.scale / 2;
      return { left: aim.x - w, top: aim.y - h, right: aim.x + w, bottom: aim.y + h };
    }
    const a = network.DOMtoCanvas({ x: 0, y: 0 });
    const b = network.DOMtoCanvas({ x: el.clientWidth, y: el.clientHeight });
    return { left: a.x, top: a.y, right: b.x, bottom: b.y };
  }

  function outside(ids) {
    // Whether any of these nodes' boxes lies (partly) outside what is on screen.
    const view = viewRect();
    return ids.some((id) => {
      const box = network.getBoundingBox(id);
      return box && (box.left < view.left || box.right > view.right || box.top < view.top || box.bottom > view.bottom);
    });
  }

  function extent() {
    // The boxes of all drawn notes, in canvas coordinates.
    let box = null;
    nodes.getIds().forEach((id) => {
      const node = nodes.get(id);
      if (node.hidden) return;
      const b = network.getBoundingBox(id);
      if (!b) return;
      box = box ? { left: Math.min(box.left, b.left), right: Math.max(box.right, b.right),
        top: Math.min(box.top, b.top), bottom: Math.max(box.bottom, b.bottom) } : b;
    });
    return box;
  }

  function union(a, b) {
    if (!a || !b) return a || b;
    return { left: Math.min(a.left, b.left), right: Math.max(a.right, b.right),
      top: Math.min(a.top, b.top), bottom: Math.max(a.bottom, b.bottom) };
  }

  function trunkBox() {
    const t = scene && scene.trunk;
    if (!t) return null;
    return { left: t.x - t.base_width, right: t.x + t.base_width, top: t.top - 20, bottom: t.base + 20 };
  }

  function canopyBox() {
    let box = null;
    ((scene && scene.canopy) || []).forEach(([x, y, r]) => {
      box = union(box, { left: x - r, right: x + r, top: y - r, bottom: y + r });
    });
    return box;
  }

  function fit(animated) {
    // vis's own fit leaves a tenth of the screen empty; the picture should use it (a margin
    // of 16 px), so its notes are as large as the screen allows.
    // The trunk is part of the picture (a young tree of a few notes stays centred on it);
    // so is the canopy when the notes are large anyway (a small session's crown is not cut).
    const scaleOf = (b) => Math.min((el.clientWidth - 32) / (b.right - b.left || 1),
      (el.clientHeight - 32) / (b.bottom - b.top || 1), 2);
    network.redraw(); // vis measures the notes' boxes when it draws them
    let box = union(extent(), trunkBox());
    const crowned = union(box, canopyBox());
    if (crowned && scaleOf(crowned) >= 1) box = crowned;
    const animation = animated ? { duration: 600, easingFunction: "easeInOutQuad" } : false;
    if (!box || !el.clientWidth || !el.clientHeight) { easing += 1; aim = null; network.fit({ animation: animation }); return; }
    const scale = scaleOf(box);
    moveView({ x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale, animated);
    el.dataset.fontSize = "22";
  }

  function easeOut(ids) {
    // The view grows (never shrinks) just enough to take in these notes: what was on
    // screen stays on screen, nothing jumps.
    const box = viewRect();
    const scale = network.getScale();
    const margin = 16 / scale;
    ids.forEach((id) => {
      const b = network.getBoundingBox(id);
      if (!b) return;
      box.left = Math.min(box.left, b.left - margin);
      box.right = Math.max(box.right, b.right + margin);
      box.top = Math.min(box.top, b.top - margin);
      box.bottom = Math.max(box.bottom, b.bottom + margin);
    });
    const wanted = Math.min(scale, el.clientWidth / (box.right - box.left || 1),
      el.clientHeight / (box.bottom - box.top || 1));
    moveView({ x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, wanted, true);
  }

  function renderLegend(legend) {
    const list = document.getElementById("legend");
    list.replaceChildren();
    bandNames = {};
    legend.bands.slice().reverse().forEach((band) => {
      bandNames[band.band] = band.name;
      const item = text("li", "", "band band-" + band.band);
      item.append(text("strong", band.name), text("span", " " + band.text));
      const kinds = text("span", "", "kinds-line");
      band.kinds.forEach((k) => kinds.append(text("span", `${k.symbol} ${k.name}`, "kind-chip")));
      item.append(kinds);
      list.append(item);
    });
    const ties = document.getElementById("legend-ties");
    ties.replaceChildren();
    legend.ties.forEach((t) => {
      const item = text("li", "");
      const swatch = text("span", "", "swatch");
      swatch.style.borderTopColor = t.color;
      item.append(swatch, text("span", t.name));
      ties.append(item);
    });
  }

  function renderFlags(flags, total) {
    const list = document.getElementById("flag-list");
    if (!list) return;
    list.replaceChildren();
    flags.forEach((f) => {
      const item = text("li", "", "flag flag-" + f.flag);
      item.append(text("strong", `⚑ ${f.title}`), text("span", " " + f.reason));
      if (f.node) item.dataset.node = f.node;
      list.append(item);
    });
    // A town-sized map has thousands of hints: the list shows the first, the notes all.
    if (total > flags.length && i18n.moreFlags) {
      list.append(text("li", i18n.moreFlags.replace("{n}", String(total - flags.length)), "hint"));
    }
  }

  function renderWhatif(result) {
    const list = document.getElementById("whatif-result");
    if (!list) return;
    list.replaceChildren();
    if (!params.get("away")) return;
    if (!result.length) { list.append(text("li", i18n.nobody)); return; }
    list.append(text("li", i18n.householdsAffected));
    result.forEach((r) => {
      const label = (nodes.get(r.unit) || {}).label || r.unit;
      list.append(text("li", `${label}: ${r.effect === "isolated" ? i18n.isolated : i18n.noSupporter}`));
    });
  }

  function apply(data) {
    const first = network === null;
    const before = new Set(nodes.getIds());
    // Where each drawn note was: a note the new layout moves counts as new for the view.
    const was = {};
    nodes.get().forEach((n) => { was[n.id] = [n.x, n.y]; });
    scene = data.scene || null;
    pinned = new Set(data.pinned || []);
    const resetNote = document.getElementById("reset-note");
    if (resetNote) resetNote.disabled = !chosen || !pinned.has(chosen);
    if (data.delta) {
      patch(nodes, data.nodes, data.removed || []);
      patch(edges, data.edges, data.edges_removed || []);
    } else {
      sync(nodes, data.nodes);
      sync(edges, data.edges);
    }
    if (first) {
      // Only the facilitator's own live tree arranges notes (the projector shows them).
      data.options.interaction = Object.assign({}, data.options.interaction, { dragNodes: !!el.dataset.positionUrl });
      network = new vis.Network(el, { nodes: nodes, edges: edges }, data.options);
      network.on("dragEnd", onDragEnd);
      // A drag or zoom by hand ends any easing: the view is where the hand put it.
      const byHand = () => { easing += 1; aim = null; };
      network.on("dragStart", byHand);
      network.on("zoom", byHand);
      window.tsunagariNetwork = network;
      // When the first picture was on screen, in ms since navigation start (bench/tree.py).
      network.once("afterDrawing", () => { el.dataset.drawnAt = String(Math.round(performance.now())); });
      network.on("beforeDrawing", drawScene);
      network.on("click", onClick);
      fit(false);
      // A projector that reloads comes back to the note or district in focus.
      if (!PRIVATE && presentState && presentState.focus) focusOn(presentState.focus, false);
    } else {
      // A new note that would land outside the picture: ease out to show it, the rest stays.
      const added = data.nodes.filter((n) => !before.has(n.id)
        || was[n.id][0] !== n.x || was[n.id][1] !== n.y).map((n) => n.id);
      // vis keeps each note's box from the last frame: draw once, so the boxes are where
      // the notes now are (a new layout may have moved many), then decide.
      network.redraw();
      const shown = added.filter((id) => BANDS.indexOf((nodes.get(id) || {}).band) <= revealed);
      // The projector shows the whole picture again (unless the facilitator focused a note);
      // on the facilitator's own tree, where they zoom and pan, the view only grows.
      if (shown.length && outside(shown)) {
        if (PRIVATE) easeOut(shown); else if (!(presentState && presentState.focus)) fit(true);
      }
    }
    if (first || data.legend) renderLegend(data.legend);
    if (PRIVATE) fillDistricts(scene && scene.districts);
    renderFlags(data.flags || [], data.flags_total || 0);
    renderWhatif(data.whatif || []);
    document.getElementById("overview-hint").hidden = !data.overview;
    const empty = document.getElementById("tree-empty");
    if (empty) empty.hidden = nodes.length > 0;
    const banner = document.getElementById("winter-banner");
    if (banner) banner.hidden = !data.winter;
    applyReveal();
    el.dataset.seq = String(data.seq);
    el.dataset.picture = String(data.seq); // the seq of the picture on screen (deltas apply to it)
    el.dataset.loads = String(Number(el.dataset.loads || 0) + 1);
  }

  let failures = 0;
  let shownQuery = null; // the query of the picture on screen
  function load() {
    if (loading) { again = true; return loading; }
    // The URL already carries ?view=…: add the options to its query, never a second "?"
    // (view=projector?winter=1 would not be the projector view).
    const url = new URL(el.dataset.jsonUrl, window.location.href);
    params.forEach((value, key) => url.searchParams.set(key, value));
    // The same view as on screen: the server may answer "same" when no change since the
    // picture's seq touched what the tree shows (a note written, a phone joined).
    const query = url.search;
    if (el.dataset.seq && query === shownQuery) url.searchParams.set("since", el.dataset.seq);
    loading = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((data) => {
        if (data.same) {
          el.dataset.seq = String(data.seq);
          el.dataset.loads = String(Number(el.dataset.loads || 0) + 1);
        } else {
          apply(data);
          shownQuery = query;
        }
        failures = 0;
        return true;
      })
      .catch(() => { failures += 1; return false; })
      .then((ok) => {
        loading = null;
        if (!ok) {
          // A failed load is tried again, sooner at first (the hall's Wi-Fi comes back).
          setTimeout(load, Math.min(300 * 2 ** (failures - 1), 5000));
          return;
        }
        // Again if the options changed meanwhile, or a change came after what was fetched.
        if (again || wanted > Number(el.dataset.seq)) { again = false; load(); }
      });
    return loading;
  }

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  function send(method, url, body) {
    const headers = Object.assign({ Accept: "application/json" }, csrfHeaders());
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }

  function onDragEnd(event) {
    // A dragged note stays where it was put: stored in the session (one undoable event),
    // and every screen draws it there on the next change.
    if (!el.dataset.positionUrl || !event.nodes || !event.nodes.length) return;
    chosen = event.nodes[0];
    const positions = network.getPositions(event.nodes);
    event.nodes.forEach((id) => {
      const url = el.dataset.positionUrl.replace("__node__", encodeURIComponent(id));
      const p = positions[id];
      send("PUT", url, { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 })
        .then((answer) => { wanted = Math.max(wanted, Number(answer.seq)); load(); })
        .catch(() => load() /* not stored: draw it back where the session has it */);
    });
  }

  function onClick(event) {
    const id = event.nodes && event.nodes[0];
    if (!id) return;
    const node = nodes.get(id);
    chosen = id;
    const resetNote = document.getElementById("reset-note");
    if (resetNote) resetNote.disabled = !pinned.has(id);
    const focusButton = document.getElementById("present-focus");
    if (focusButton) focusButton.disabled = false;
    if (node && node.kind === "district") {
      params.set("expand", node.district);
      load();
      return;
    }
    if (el.dataset.inspectUrl && node && node.kind !== "district" && window.htmx) {
      // The facilitator's own tree: the clicked note opens in the inspector beside it.
      const url = el.dataset.inspectUrl.replace("__node__", encodeURIComponent(id));
      window.htmx.ajax("GET", url, { target: "#inspector", swap: "outerHTML" });
    }
    if (PRIVATE && node && node.kind === "person") {
      selected = id;
      document.getElementById("whatif-panel").hidden = false;
      document.getElementById("whatif-person").textContent = node.label;
    }
  }

  function bind(id, handler) {
    const button = document.getElementById(id);
    if (button) button.addEventListener("click", handler);
  }

  document.querySelectorAll("[data-layout]").forEach((button) => {
    button.addEventListener("click", () => {
      params.set("layout", button.dataset.layout);
      document.querySelectorAll("[data-layout]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      load().then(() => fit(false));
    });
  });
  const winter = document.getElementById("winter-toggle");
  winter.addEventListener("change", () => {
    if (winter.checked) params.set("winter", "1"); else params.delete("winter");
    load();
  });
  bind("reveal-next", () => { revealed = revealed >= BANDS.length - 1 ? 0 : revealed + 1; applyReveal(); });
  bind("reveal-all", () => { revealed = BANDS.length - 1; applyReveal(); });
  bind("fit", () => fit(true));
  bind("reset-note", () => {
    // One note back to its computed place: PUT null for its position (one undoable event).
    if (!chosen || !el.dataset.positionUrl) return;
    const url = el.dataset.positionUrl.replace("__node__", encodeURIComponent(chosen));
    send("PUT", url, { x: null, y: null }).then(() => load()).catch(() => load());
    document.getElementById("reset-note").disabled = true;
  });
  bind("reset-arrangement", () => {
    if (el.dataset.resetUrl) send("DELETE", el.dataset.resetUrl).then(() => load()).catch(() => load());
  });
  bind("fullscreen", () => {
    const shell = document.getElementById("tree-shell");
    if (document.fullscreenElement) document.exitFullscreen(); else if (shell.requestFullscreen) shell.requestFullscreen();
  });
  bind("whatif-go", () => { if (selected) { params.set("away", selected); load(); } });
  bind("whatif-clear", () => { params.delete("away"); load(); });
  document.addEventListener("fullscreenchange", () => setTimeout(() => { sizeCanvas(); fit(false); }, 50));
  // The canvas keeps the window's size; when the window changes, the picture is fitted again.
  // The facilitator's own tree takes the rest of the window below its toolbars (a laptop at
  // 1366×768 has two rows of them), so every note can be clicked without scrolling.
  function sizeCanvas() {
    if (!el.dataset.inspectUrl) return;
    if (document.fullscreenElement) { el.style.height = ""; return; }
    const top = el.getBoundingClientRect().top + window.scrollY;
    el.style.height = Math.max(320, window.innerHeight - top - 12) + "px";
  }
  sizeCanvas();
  window.addEventListener("resize", () => { sizeCanvas(); if (network) { network.redraw(); fit(false); } });

  // A safety net for a missed event: now and then, catch up with the newest seq announced.
  setInterval(() => { if (started && !loading && wanted > Number(el.dataset.seq)) load(); }, 3000);

  // -- the presenter remote: the facilitator's tree sends, the projector follows --------------
  let presentState = null;
  let chosen = null; // the note last clicked on the facilitator's tree

  function applyPresent(state) {
    const before = presentState || {};
    presentState = state;
    const winterBox = document.getElementById("present-winter");
    if (winterBox) winterBox.checked = !!state.winter;
    if (PRIVATE) return; // the facilitator's own tree is never driven
    const tab = state.view && document.querySelector(`[data-view-tab="${state.view}"]`);
    if (tab && tab.getAttribute("aria-selected") !== "true") tab.click();
    if (!!state.winter !== (params.get("winter") === "1")) {
      if (state.winter) params.set("winter", "1"); else params.delete("winter");
      if (started) load();
    }
    const reveal = state.reveal === null || state.reveal === undefined ? BANDS.length - 1 : state.reveal;
    if (reveal !== revealed) {
      revealed = reveal;
      if (network) {
        applyReveal();
        // The band just revealed comes into the picture: the view takes it in if need be.
        network.redraw();
        const shown = nodes.get().filter((n) => !n.hidden).map((n) => n.id);
        if (shown.length && outside(shown) && !state.focus) fit(true);
      }
    }
    if (!network) return;
    if (state.focus && state.focus !== before.focus) {
      focusOn(state.focus, true);
    } else if (before.fit !== undefined && state.fit !== before.fit) {
      fit(true);
    }
  }

  function focusOn(focus, animated) {
    // A note ("g01") or a district ("district:1丁目", its households' box from the layout).
    if (String(focus).startsWith("district:")) {
      const name = String(focus).slice("district:".length);
      const d = scene && scene.districts && scene.districts.find((x) => x.name === name);
      if (!d) return;
      const [left, top, right, bottom] = d.box;
      const scale = Math.min((el.clientWidth - 32) / (right - left || 1),
        (el.clientHeight - 32) / (bottom - top || 1), 2);
      moveView({ x: (left + right) / 2, y: (top + bottom) / 2 }, scale, animated);
    } else if (nodes.get(focus)) {
      moveView(network.getPositions([focus])[focus], 1.3, animated);
    }
  }

  function fillDistricts(districts) {
    // The remote's list of districts (the facilitator's tree): one option per district.
    const select = document.getElementById("present-district");
    if (!select) return;
    const names = (districts || []).map((d) => d.name);
    const have = Array.from(select.options).slice(1).map((o) => o.value);
    if (names.join("\n") === have.join("\n")) return;
    const keep = select.value;
    Array.from(select.options).slice(1).forEach((o) => o.remove());
    names.forEach((name) => { const o = text("option", name); o.value = name; select.append(o); });
    select.value = names.includes(keep) ? keep : "";
  }

  function present(changes) {
    const remote = document.querySelector("[data-present-url]");
    if (!remote) return;
    send("POST", remote.dataset.presentUrl, changes).then(applyPresent).catch(() => {});
  }

  document.querySelectorAll("[data-present]").forEach((button) => {
    button.addEventListener("click", () => present(JSON.parse(button.dataset.present)));
  });
  const presentWinter = document.getElementById("present-winter");
  if (presentWinter) presentWinter.addEventListener("change", () => present({ winter: presentWinter.checked }));
  bind("present-reveal", () => {
    const now = presentState && presentState.reveal !== null && presentState.reveal !== undefined ? presentState.reveal : BANDS.length - 1;
    present({ reveal: now >= BANDS.length - 1 ? 0 : now + 1 });
  });
  bind("present-focus", () => { if (chosen) present({ focus: chosen }); });
  const presentDistrict = document.getElementById("present-district");
  if (presentDistrict) {
    presentDistrict.addEventListener("change", () => {
      present(presentDistrict.value ? { focus: "district:" + presentDistrict.value } : { focus: null, fit: true });
    });
  }

  // The stream brings this screen's default view along (facilitator/stream_push.py): drawn
  // as it comes, without asking. A screen showing another view (winter, a what-if, a district
  // opened, the network) or still loading ignores it and asks on "changed", as before.
  function pushed(text) {
    if (!started || loading || !network || params.toString() !== "") return;
    if (shownQuery !== new URL(el.dataset.jsonUrl, window.location.href).search) return;
    let data = null;
    try { data = JSON.parse(text); } catch (e) { return; }
    if (!data || !(Number(data.seq) > Number(el.dataset.seq || 0))) return;
    // A delta is for the picture it was made against: another one asks for the whole.
    if (data.delta && String(data.base) !== el.dataset.picture) return;
    apply(data);
    el.dataset.pushed = String(Number(el.dataset.pushed || 0) + 1);
    if (data.delta) el.dataset.deltas = String(Number(el.dataset.deltas || 0) + 1);
  }

  // The stream names the regions each change touched before its "changed": a change the
  // tree does not show (a note written, a phone joined) only moves the picture's seq on.
  let treeTouched = false;
  function changed(seq) {
    const touched = treeTouched;
    treeTouched = false;
    if (!touched && started && !loading && network && wanted <= Number(el.dataset.seq || 0)
        && Number(seq) > Number(el.dataset.seq || 0)) {
      wanted = Number(seq);
      el.dataset.seq = String(seq);
      el.dataset.loads = String(Number(el.dataset.loads || 0) + 1);
      return;
    }
    wanted = Math.max(wanted, Number(seq));
    // While a load runs, its end compares the seq it got with the newest one announced.
    if (started && !loading && wanted > Number(el.dataset.seq)) load();
  }

  // Live: the session's stream says "changed"; fetch the new picture and apply it in place.
  // On the projector the page already holds the stream (htmx-ext-sse): listen to it.
  function presented(data) {
    try { applyPresent(JSON.parse(data)); } catch (e) { /* not a view: ignore it */ }
  }
  if (el.closest("[sse-connect]")) {
    document.addEventListener("htmx:sseMessage", (event) => {
      if (!event.detail) return;
      if (event.detail.type === "region-tree") treeTouched = true;
      if (event.detail.type === "tree") pushed(event.detail.data);
      if (event.detail.type === "changed") changed(event.detail.data);
      if (event.detail.type === "present") presented(event.detail.data);
    });
  } else if (window.EventSource) {
    const source = new EventSource(el.dataset.streamUrl + "?after=0&tree=" + (PRIVATE ? "private" : "projector"));
    source.addEventListener("region-tree", () => { treeTouched = true; });
    source.addEventListener("tree", (event) => pushed(event.data));
    source.addEventListener("changed", (event) => changed(event.data));
    source.addEventListener("present", (event) => presented(event.data));
  }

  let started = false;
  function start() {
    if (started) { if (network) fit(false); return; }
    started = true;
    load();
  }

  // The projector's tabs: the tree is drawn the first time it is shown (vis needs a size).
  document.querySelectorAll("[data-view-tab]").forEach((tab) => {
    tab.addEventListener("click", () => {
      const view = tab.dataset.viewTab;
      document.querySelectorAll("[data-view-tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
      document.querySelectorAll("[data-view]").forEach((section) => { section.hidden = section.dataset.view !== view; });
      const shell = document.getElementById("projector");
      if (shell) shell.className = shell.className.replace(/view-\w+/, "view-" + view);
      if (view === "tree") start();
    });
  });
  if (el.offsetParent !== null) start();
})();
