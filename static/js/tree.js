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

  function sync(set, items) {
    const keep = new Set(items.map((item) => item.id));
    set.remove(set.getIds().filter((id) => !keep.has(id)));
    set.update(items);
  }

  function applyReveal() {
    const updates = nodes.get().map((n) => ({ id: n.id, hidden: BANDS.indexOf(n.band) > revealed }));
    nodes.update(updates);
    const status = document.getElementById("reveal-status");
    if (status) {
      status.textContent = revealed >= BANDS.length - 1 ? i18n.all
        : `${i18n.step} ${BANDS.slice(0, revealed + 1).map((b) => bandNames[b] || b).join(" → ")}`;
    }
  }

  let fontSize = 20;
  function fontFor(node) {
    // Residents and needs: 0.7 of the size, under vis's draw threshold until zoomed in.
    return { size: node.detail ? Math.round(fontSize * 0.7) : fontSize };
  }

  function withFont(items) {
    return items.map((n) => Object.assign({}, n, { font: fontFor(n) }));
  }

  function readableFonts() {
    // Labels of at least 18 px on screen at the zoom the tree opens with (back of the hall).
    // Set on every node: vis re-measures per-node fonts, not always a changed global one.
    fontSize = Math.max(20, Math.ceil(18.5 / network.getScale()));
    nodes.update(nodes.get().map((n) => ({ id: n.id, font: fontFor(n) })));
    el.dataset.fontSize = String(fontSize);
  }

  function fit() {
    network.fit({ animation: false });
    readableFonts();
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

  function renderFlags(flags) {
    const list = document.getElementById("flag-list");
    if (!list) return;
    list.replaceChildren();
    flags.forEach((f) => {
      const item = text("li", "", "flag flag-" + f.flag);
      item.append(text("strong", `⚑ ${f.title}`), text("span", " " + f.reason));
      if (f.node) item.dataset.node = f.node;
      list.append(item);
    });
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
    sync(nodes, withFont(data.nodes));
    sync(edges, data.edges);
    if (first) {
      network = new vis.Network(el, { nodes: nodes, edges: edges }, data.options);
      window.tsunagariNetwork = network;
      // When the first picture was on screen, in ms since navigation start (bench/tree.py).
      network.once("afterDrawing", () => { el.dataset.drawnAt = String(Math.round(performance.now())); });
      network.on("click", onClick);
      fit();
    }
    if (first || data.legend) renderLegend(data.legend);
    renderFlags(data.flags || []);
    renderWhatif(data.whatif || []);
    document.getElementById("overview-hint").hidden = !data.overview;
    applyReveal();
    el.dataset.seq = String(data.seq);
    el.dataset.loads = String(Number(el.dataset.loads || 0) + 1);
  }

  function load() {
    if (loading) { again = true; return loading; }
    // The URL already carries ?view=…: add the options to its query, never a second "?"
    // (view=projector?winter=1 would not be the projector view).
    const url = new URL(el.dataset.jsonUrl, window.location.href);
    params.forEach((value, key) => url.searchParams.set(key, value));
    loading = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((data) => { apply(data); return true; })
      .catch(() => false /* the stream will bring the next change; keep what is drawn */)
      .then((ok) => {
        loading = null;
        // Again if the options changed meanwhile, or a change came after what was fetched
        // (not for the "changed" the stream sends on connecting: the first load has it).
        if (again || (ok && wanted > Number(el.dataset.seq))) { again = false; load(); }
      });
    return loading;
  }

  function onClick(event) {
    const id = event.nodes && event.nodes[0];
    if (!id) return;
    const node = nodes.get(id);
    if (node && node.kind === "district") {
      params.set("expand", node.district);
      load();
      return;
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
      load().then(fit);
    });
  });
  const winter = document.getElementById("winter-toggle");
  winter.addEventListener("change", () => {
    if (winter.checked) params.set("winter", "1"); else params.delete("winter");
    load();
  });
  bind("reveal-next", () => { revealed = revealed >= BANDS.length - 1 ? 0 : revealed + 1; applyReveal(); });
  bind("reveal-all", () => { revealed = BANDS.length - 1; applyReveal(); });
  bind("fit", fit);
  bind("fullscreen", () => {
    const shell = document.getElementById("tree-shell");
    if (document.fullscreenElement) document.exitFullscreen(); else if (shell.requestFullscreen) shell.requestFullscreen();
  });
  bind("whatif-go", () => { if (selected) { params.set("away", selected); load(); } });
  bind("whatif-clear", () => { params.delete("away"); load(); });
  document.addEventListener("fullscreenchange", () => setTimeout(fit, 50));

  function changed(seq) {
    wanted = Math.max(wanted, Number(seq));
    // While a load runs, its end compares the seq it got with the newest one announced.
    if (started && !loading && wanted > Number(el.dataset.seq)) load();
  }

  // Live: the session's stream says "changed"; fetch the new picture and apply it in place.
  // On the projector the page already holds the stream (htmx-ext-sse): listen to it.
  if (el.closest("[sse-connect]")) {
    document.addEventListener("htmx:sseMessage", (event) => {
      if (event.detail && event.detail.type === "changed") changed(event.detail.data);
    });
  } else if (window.EventSource) {
    const source = new EventSource(el.dataset.streamUrl + "?after=0");
    source.addEventListener("changed", (event) => changed(event.data));
  }

  let started = false;
  function start() {
    if (started) { if (network) fit(); return; }
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
