/* Reviewer's network view (analysis/views.py). Every text from the data is inserted with
   textContent or as a DOM text node, never as HTML. Globals: `network` (vis-network) and `view`. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("view-data").textContent);
  var DIM_NODE = "#E6E6E6", DIM_EDGE = "rgba(190,190,190,0.18)", LABEL_COLOR = "#222222";
  // Labels smaller than DRAW_THRESHOLD - 1 screen pixels are not drawn (vis-network). SHOW_FONT is the
  // font of the neighbours of a selection; LABEL_CAP the largest screen size a small label grows to
  // when zooming in (labels then keep their screen size while the nodes move apart).
  var SHOW_FONT = 13, DRAW_THRESHOLD = 12, THRESHOLD = DRAW_THRESHOLD - 1, LABEL_CAP = 12;
  var FONT_FACE = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
  var NARROW = 700; // below this width (CSS px) the side panel is a bottom sheet

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function fmt(x) { return (Math.round(x * 100) / 100).toString(); }
  function narrow() { return window.innerWidth < NARROW; }

  document.getElementById("title").textContent = D.title;
  document.getElementById("subtitle").textContent = D.subtitle;
  var side = document.getElementById("side"), panelBtn = document.getElementById("panel");
  function setPanel(open) {
    side.classList.toggle("open", !!open);
    panelBtn.setAttribute("aria-expanded", open ? "true" : "false");
    panelBtn.textContent = open ? "收起 Hide ▾" : "图例 Legend ▴";
  }
  panelBtn.addEventListener("click", function () { setPanel(!side.classList.contains("open")); });
  setPanel(false);

  // ---------------------------------------------------------------- geometry (canvas units = screen px at zoom 1)
  var measureCtx = document.createElement("canvas").getContext("2d"), widthCache = {};
  function labelWidth(text) { // width of `text` at font size 1
    if (!(text in widthCache)) {
      measureCtx.font = "100px " + FONT_FACE;
      widthCache[text] = measureCtx.measureText(text).width / 100;
    }
    return widthCache[text];
  }
  // A dot's drawn radius is its size plus half its border; a square's corners reach size * sqrt(2).
  function radius(b) { return b.shape === "square" ? b.size * 1.42 : b.size + b.borderWidth / 2; }
  // Screen font of a label of base size f (its screen size at zoom 1) at zoom s.
  function screenFont(f, s) { return s <= 1 ? f * s : Math.min(f * s, Math.max(f, LABEL_CAP)); }
  // The box a label's glyphs (with their 3 px white halo) cover, for a canvas font fc: right under
  // the node, centred. Glyphs set with a hanging baseline at yLine span yLine - 0.09 fc to
  // yLine + 0.88 fc in Noto Sans CJK; vadjust moves vis-network's yLine (y + size + fc / 2 + 4) there.
  function labelBox(b, x, y, fc, s) {
    var pad = 1.5 / s, top = y + radius(b) + 1 / s, w = labelWidth(b.label) * fc;
    return [x - w / 2 - pad, top, x + w / 2 + pad, top + fc + 2 * pad];
  }
  function vadjust(b, fc, s) { return radius(b) - b.size + 1 / s + 0.1 * fc + 1.5 / s - fc / 2 - 4; }
  function nodeBox(b, x, y, gap) { var r = radius(b) + (gap || 0); return [x - r, y - r, x + r, y + r]; }
  function hit(a, o) { return a[0] < o[2] && o[0] < a[2] && a[1] < o[3] && o[1] < a[3]; }

  // ---------------------------------------------------------------- nodes and edges
  var container = document.getElementById("net"), bar = document.getElementById("bar");
  var W = Math.max(container.clientWidth, 200), H = Math.max(container.clientHeight, 200);
  var cr = container.getBoundingClientRect(), br = bar.getBoundingClientRect();
  var barBottom = Math.min(br.bottom - cr.top, H / 3);
  // Region the opening view fills (canvas coordinates, origin at the centre of the canvas): below the
  // title bar, above the buttons.
  var REGION = { l: -W / 2 + 6, r: W / 2 - 6, t: -H / 2 + barBottom + 6, b: H / 2 - 40 };
  var byId = {}, adj = {};
  var baseNodes = D.nodes.map(function (n) {
    byId[n.id] = n;
    adj[n.id] = [];
    var isUnit = n.kind === "unit";
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, size: n.size,
      shape: isUnit ? "dot" : "square",
      color: { background: n.color, border: n.border || (isUnit ? "#FFFFFF" : n.color),
               highlight: { background: n.color, border: "#000000" }, hover: { background: n.color, border: "#333333" } },
      borderWidth: n.border ? 3 : (isUnit ? 1 : 0), borderWidthSelected: n.border ? 3 : 2,
      font: { size: n.font, color: LABEL_COLOR, face: FONT_FACE, strokeWidth: 3, strokeColor: "#FFFFFF", vadjust: 0 },
      hidden: false
    };
  });
  var baseEdges = D.edges.map(function (e, i) {
    adj[e.from].push(e.to);
    adj[e.to].push(e.from);
    return { id: i, from: e.from, to: e.to, width: e.width, dashes: e.dashes ? [5, 4] : false,
             color: { color: e.color, highlight: e.color, hover: e.color, opacity: 1 }, hidden: false };
  });

  /* Opening layout: the positions computed in Python ([-1, 1]²) stretched to the region, then every
     overlap removed in screen pixels: between node discs, and between the labels drawn at the
     opening zoom and any node or other label. Pairs are pushed apart along the axis of least
     overlap (discs: along the line of centres), in a fixed order, until none overlaps: the same
     window size gives the same picture. Each push is 1.3 times what the pair needs (fewer rounds
     in dense centres). Nodes are shrunk first if their squares and the labels would fill more than
     FILL of the region; the loop stops after 1000 rounds (no clock: the result never depends on the
     machine), and any overlap left
     (only with hundreds of nodes on a phone) is then handled by the declutter. */
  var FILL = 0.3, OVER = 1.3;
  function placeNodes() {
    var hw = (REGION.r - REGION.l) / 2, hh = (REGION.b - REGION.t) / 2;
    var cx = (REGION.l + REGION.r) / 2, cy = (REGION.t + REGION.b) / 2;
    var area = 0, labelArea = 0;
    baseNodes.forEach(function (b) {
      area += 4 * radius(b) * radius(b);
      if (b.font.size >= THRESHOLD) labelArea += labelWidth(b.label) * b.font.size * (b.font.size + 3);
    });
    var room = FILL * 4 * hw * hh - labelArea;
    var k = area > room ? Math.max(0.35, Math.sqrt(Math.max(room, 0) / area)) : 1;
    if (k < 1) baseNodes.forEach(function (b) { b.size = Math.max(2.5, Math.round(b.size * k * 100) / 100); });
    // The layout is wider than tall; on a portrait canvas (phones, narrow windows) it is transposed,
    // so its long side runs along the screen's and the stretch distorts it less.
    var tr = hw < hh;
    var items = baseNodes.map(function (b, i) {
      var lab = b.font.size >= THRESHOLD;
      var r = radius(b), lb = lab ? labelBox(b, 0, 0, b.font.size, 1) : null;
      var nx = tr ? byId[b.id].y : byId[b.id].x, ny = tr ? byId[b.id].x : byId[b.id].y;
      return { i: i, b: b, x: cx + nx * (hw - 24), y: cy + ny * (hh - 24), r: r, lb: lb,
               ex: lab ? Math.max(r, lb[2]) : r, eb: lab ? lb[3] : r };
    });
    function clamp(it) {
      it.x = Math.min(Math.max(it.x, REGION.l + it.ex), REGION.r - it.ex);
      it.y = Math.min(Math.max(it.y, REGION.t + it.r), REGION.b - it.eb);
    }
    items.forEach(clamp);
    var GAP = 2;
    function boxes(it) { // the disc's square, then the label's box
      var out = [[it.x - it.r, it.y - it.r, it.x + it.r, it.y + it.r, 0]];
      if (it.lb) out.push([it.x + it.lb[0], it.y + it.lb[1], it.x + it.lb[2], it.y + it.lb[3], 1]);
      return out;
    }
    // The smallest move of c (relative to a) that separates it from a, or null: two bare discs move
    // apart along the line of their centres; with a label involved, along the axis direction
    // (+x, -x, +y, -y) that needs the least distance to clear every part of one from every part of the other.
    function separation(a, c) {
      var dx = c.x - a.x, dy = c.y - a.y, d = Math.sqrt(dx * dx + dy * dy), need = a.r + c.r + GAP, disc = d < need;
      if (!a.lb && !c.lb) {
        if (!disc) return null;
        return d < 1e-6 ? [0, need] : [dx / d * (need - d), dy / d * (need - d)];
      }
      var A = boxes(a), C = boxes(c), any = false, t = [0, 0, 0, 0];
      for (var p = 0; p < A.length; p++) {
        for (var q = 0; q < C.length; q++) {
          var P = A[p], Q = C[q];
          var xo = Math.min(P[2], Q[2]) - Math.max(P[0], Q[0]) + GAP, yo = Math.min(P[3], Q[3]) - Math.max(P[1], Q[1]) + GAP;
          if (!P[4] && !Q[4] ? disc : (xo > 0 && yo > 0)) any = true;
          if (yo > 0) { t[0] = Math.max(t[0], P[2] - Q[0] + GAP); t[1] = Math.max(t[1], Q[2] - P[0] + GAP); }
          if (xo > 0) { t[2] = Math.max(t[2], P[3] - Q[1] + GAP); t[3] = Math.max(t[3], Q[3] - P[1] + GAP); }
        }
      }
      if (!any) return null;
      var k = 0;
      for (var i = 1; i < 4; i++) if (t[i] < t[k]) k = i;
      return [[t[0], 0], [-t[1], 0], [0, t[2]], [0, -t[3]]][k];
    }
    // Move a and c apart by v, half each; what one cannot take (held by the region's edge) the other takes.
    function apart(a, c, v) {
      var ax = a.x, ay = a.y, cx = c.x, cy = c.y;
      a.x -= v[0] / 2; a.y -= v[1] / 2; clamp(a);
      c.x += v[0] - (ax - a.x); c.y += v[1] - (ay - a.y); clamp(c);
      var rx = v[0] - (c.x - cx) - (ax - a.x), ry = v[1] - (c.y - cy) - (ay - a.y);
      if (Math.abs(rx) + Math.abs(ry) > 1e-9) { a.x -= rx; a.y -= ry; clamp(a); }
    }
    var order = items.slice();
    for (var iter = 0; iter < 1000; iter++) {
      var moved = 0;
      order.sort(function (a, c) { return (a.x - a.ex) - (c.x - c.ex) || a.i - c.i; });
      for (var i = 0; i < order.length; i++) {
        var a = order[i];
        for (var j = i + 1; j < order.length; j++) {
          var c = order[j];
          if (c.x - c.ex > a.x + a.ex + GAP) break;
          if (c.y - c.r > a.y + a.eb + GAP || a.y - a.r > c.y + c.eb + GAP) continue;
          var v = separation(a, c);
          if (!v || Math.abs(v[0]) + Math.abs(v[1]) < 0.05) continue;
          moved++;
          apart(a, c, [v[0] * OVER, v[1] * OVER]);
        }
      }
      if (!moved) break;
    }
    // vis-network keeps whole numbers (parseInt) of the positions it is given
    items.forEach(function (it) { it.b.x = Math.round(it.x); it.b.y = Math.round(it.y); });
  }
  placeNodes();

  // Node style = base style + selection (neighbours boosted, others dimmed) + declutter (a label that
  // would cover another node or a more important label is not drawn) + zoom (labels keep their size).
  var selected = null, selSet = null, muted = {}, styleKey = {}, scale = 1;
  function baseFont(b) {
    if (!selSet) return b.font.size;
    if (b.id === selected) return Math.max(b.font.size, 16);
    return selSet[b.id] ? Math.max(b.font.size, SHOW_FONT) : b.font.size;
  }
  function canvasFont(b) { return screenFont(baseFont(b), scale) / scale; }
  function nodeStyle(b) {
    var dim = selSet && !selSet[b.id], fc = Math.round(canvasFont(b) * 1000) / 1000;
    var font = Object.assign({}, b.font, { size: fc, vadjust: Math.round(vadjust(b, fc, scale) * 1000) / 1000,
                                           strokeWidth: Math.round(3000 / scale) / 1000 }); // a 3 px halo on screen
    if (dim || muted[b.id]) Object.assign(font, { color: "rgba(0,0,0,0)", strokeWidth: 0 });
    return { id: b.id, color: dim ? { background: DIM_NODE, border: DIM_NODE } : b.color, font: font };
  }
  function styleOf(st) { return JSON.stringify([st.color, st.font]); }
  function refreshNodes(all) {
    var upd = [];
    baseNodes.forEach(function (b) {
      var st = nodeStyle(b), key = styleOf(st);
      if (all || styleKey[b.id] !== key) { styleKey[b.id] = key; upd.push(st); }
    });
    if (upd.length) nodes.update(upd);
  }
  var priority = baseNodes.slice().sort(function (a, b) { return byId[a.id].rank - byId[b.id].rank; });
  var hiddenNode = {}, network = null;
  function positions() {
    if (!network) {
      var p0 = {};
      baseNodes.forEach(function (b) { p0[b.id] = { x: b.x, y: b.y }; });
      return p0;
    }
    return network.getPositions();
  }
  // Decide which labels are drawn: in priority order (selection first), a label is kept if its box
  // meets no other visible node and no label kept before it.
  function declutter() {
    var pos = positions(), CELL = 64, grid = {};
    function cells(bx, fn) {
      for (var gx = Math.floor(bx[0] / CELL); gx <= Math.floor(bx[2] / CELL); gx++)
        for (var gy = Math.floor(bx[1] / CELL); gy <= Math.floor(bx[3] / CELL); gy++) fn(gx + "," + gy);
    }
    baseNodes.forEach(function (b) {
      if (hiddenNode[b.id]) return;
      var p = pos[b.id], box = nodeBox(b, p.x, p.y, 0.5);
      box.push(b.id);
      cells(box, function (key) { (grid[key] = grid[key] || []).push(box); });
    });
    var next = {};
    var order = selSet ? priority.filter(function (b) { return b.id === selected; })
      .concat(priority.filter(function (b) { return b.id !== selected && selSet[b.id]; })) : priority;
    order.forEach(function (b) {
      if (hiddenNode[b.id]) return;
      if (screenFont(baseFont(b), scale) < THRESHOLD) return; // vis-network does not draw it anyway
      var p = pos[b.id], box = labelBox(b, p.x, p.y, canvasFont(b), scale), bad = false;
      cells(box, function (key) {
        if (bad || !grid[key]) return;
        for (var i = 0; i < grid[key].length; i++) {
          var o = grid[key][i];
          if (o[4] !== b.id && hit(box, o)) { bad = true; return; }
        }
      });
      if (bad) { next[b.id] = true; return; }
      box.push(null); // a kept label: later labels must not meet it
      cells(box, function (key) { (grid[key] = grid[key] || []).push(box); });
    });
    muted = next;
    if (network) refreshNodes(false);
  }
  // Declutter once before the network exists (opening view: scale 1, centred on (0, 0)), so the first
  // draw already has the final labels.
  declutter();
  var nodes = new vis.DataSet(baseNodes.map(function (b) {
    var st = nodeStyle(b);
    styleKey[b.id] = styleOf(st);
    return Object.assign({}, b, st);
  }));
  var edges = new vis.DataSet(baseEdges.map(function (e) { return Object.assign({}, e); }));
  var options = {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: true, tooltipDelay: 60, hideEdgesOnDrag: false, multiselect: false,
                   navigationButtons: false, keyboard: false, zoomSpeed: 0.6 },
    nodes: { labelHighlightBold: false, scaling: { label: { enabled: false, drawThreshold: DRAW_THRESHOLD, maxVisible: 40 } } },
    edges: { smooth: false, selectionWidth: 1.5, hoverWidth: 0.5 }
  };
  network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.network = network;
  network.once("afterDrawing", function () {
    if (window.performance && performance.mark) performance.mark("view-first-draw");
  });
  network.moveTo({ position: { x: 0, y: 0 }, scale: 1 });

  var frame = null;
  function refresh() { // after a zoom, drag, resize or fit: label sizes and declutter
    scale = network.getScale();
    declutter();
  }
  function scheduleRefresh() {
    if (frame) return;
    frame = window.requestAnimationFrame(function () { frame = null; refresh(); });
  }
  network.on("zoom", scheduleRefresh);
  network.on("dragEnd", scheduleRefresh);
  network.on("resize", scheduleRefresh);

  // ---------------------------------------------------------------- filters (legend)
  var off = {}; // facet key -> {value: true} for hidden values
  function facetVisible(f) {
    if (!f) return true;
    for (var key in f) {
      if (!off[key] || !f[key].length) continue;
      var any = false;
      for (var i = 0; i < f[key].length; i++) if (!off[key][f[key][i]]) { any = true; break; }
      if (!any) return false;
    }
    return true;
  }
  var hiddenEdge = {};
  function applyFilters() {
    hiddenNode = {};
    hiddenEdge = {};
    var nu = D.nodes.map(function (n) {
      var h = !facetVisible(n.facets);
      hiddenNode[n.id] = h;
      return { id: n.id, hidden: h };
    });
    var eu = D.edges.map(function (e, i) {
      var h = hiddenNode[e.from] || hiddenNode[e.to] || !facetVisible(e.facets);
      hiddenEdge[i] = h;
      return { id: i, hidden: h };
    });
    nodes.update(nu);
    edges.update(eu);
    declutter();
    updateCounts();
  }
  // Legend counts of what is visible now: units (system, cluster), measures (plan) or assignments
  // (role). A thing counts under a value only if it is visible and that value is not hidden.
  function legendCounts() {
    var out = {};
    function add(key, values) {
      values.forEach(function (v) {
        if (off[key] && off[key][v]) return;
        out[key] = out[key] || {};
        out[key][v] = (out[key][v] || 0) + 1;
      });
    }
    var measureNodes = D.nodes.some(function (n) { return n.kind === "measure"; });
    var ledSeen = {};
    D.facets.forEach(function (f) {
      if (f.count === "units") {
        D.nodes.forEach(function (n) { if (n.kind === "unit" && !hiddenNode[n.id]) add(f.key, n.facets[f.key] || []); });
      } else if (f.count === "edges") {
        D.edges.forEach(function (e, i) { if (!hiddenEdge[i]) add(f.key, e.facets[f.key] || []); });
      } else if (f.count === "measures") {
        if (measureNodes) {
          D.nodes.forEach(function (n) { if (n.kind === "measure" && !hiddenNode[n.id]) add(f.key, n.facets[f.key] || []); });
        } else { // measures led by a visible unit
          D.nodes.forEach(function (n) {
            if (hiddenNode[n.id]) return;
            D.units[n.id].measures.forEach(function (x) {
              if (x[1].indexOf("lead") < 0 || ledSeen[x[0]] || !D.measures[x[0]]) return;
              ledSeen[x[0]] = true;
              add(f.key, [D.measures[x[0]].plan_id]);
            });
          });
        }
      }
    });
    return out;
  }
  var countCells = [];
  function updateCounts() {
    var c = legendCounts();
    countCells.forEach(function (cell) {
      var v = (c[cell.key] && c[cell.key][cell.value]) || 0;
      cell.el.textContent = v === cell.n ? String(cell.n) : v + "/" + cell.n;
      cell.el.title = v === cell.n ? "" : "显示 shown " + v + " / 共 total " + cell.n;
    });
  }

  var legend = document.getElementById("legend");
  legend.appendChild(el("div", "hint", "点击图例可隐藏/显示 · Click an entry to hide or show it; click a node for details."));
  D.facets.forEach(function (f) {
    legend.appendChild(el("h3", null, f.label));
    f.items.forEach(function (it) {
      var row = el("div", "lg");
      var sw = el("span", "sw " + it.shape);
      if (it.shape === "dashed") sw.style.borderTopColor = it.color;
      else if (it.shape === "ring") sw.style.borderColor = it.color;
      else sw.style.background = it.color;
      row.appendChild(sw);
      var t = el("span", "t", it.label);
      if (it.label_en && it.label_en !== it.label) t.appendChild(el("span", "en", " " + it.label_en));
      row.appendChild(t);
      var n = el("span", "n", it.n);
      row.appendChild(n);
      countCells.push({ key: f.key, value: it.value, n: it.n, el: n });
      row.title = it.label + (it.label_en ? " · " + it.label_en : "");
      row.setAttribute("role", "switch");
      row.setAttribute("aria-checked", "true");
      row.addEventListener("click", function () {
        off[f.key] = off[f.key] || {};
        off[f.key][it.value] = !off[f.key][it.value];
        row.classList.toggle("off", !!off[f.key][it.value]);
        row.setAttribute("aria-checked", off[f.key][it.value] ? "false" : "true");
        applyFilters();
        if (selSet) highlightSet(selSet, selected);
      });
      legend.appendChild(row);
    });
  });

  // ---------------------------------------------------------------- highlight and side panel
  var info = document.getElementById("info");
  function neighbourhood(id) {
    var set = {};
    set[id] = true;
    adj[id].forEach(function (v) { set[v] = true; });
    var u = D.units[id];
    if (u && u.coleads) u.coleads.forEach(function (c) { if (byId[c[0]]) set[c[0]] = true; });
    return set;
  }
  // Highlight the nodes of `set` (with `id` the selected node, or null): the others are dimmed.
  function highlightSet(set, id) {
    selSet = set;
    declutter();
    edges.update(baseEdges.map(function (b) {
      var on = id !== null ? (b.from === id || b.to === id) : (set[b.from] && set[b.to]);
      if (!on && id !== null && D.kind === "network" && byId[id].kind === "unit" && selSet[b.from] && adj[id].indexOf(b.to) >= 0) {
        on = D.edges[b.id].role !== "responsible"; // co-leads' lead edges to the selected unit's measures
      }
      return { id: b.id, color: on ? b.color : { color: DIM_EDGE, highlight: DIM_EDGE, hover: DIM_EDGE } };
    }));
  }
  function unhighlight() {
    selSet = null;
    declutter();
    edges.update(baseEdges.map(function (b) { return { id: b.id, color: b.color }; }));
  }
  function link(id, text, cls) {
    var a = el("span", cls || "link", text === undefined ? id : text);
    a.setAttribute("role", "link");
    a.tabIndex = 0;
    function go() { if (byId[id]) select(id, true); else if (D.measures[id]) openMeasure(id); }
    a.addEventListener("click", go);
    a.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(); });
    return a;
  }
  function roleClass(r) { return r === "lead" ? "lead" : (r === "responsible" ? "responsible" : "both"); }
  function roleText(r) {
    return { "lead": "牵头 lead", "responsible": "责任 responsible", "lead+responsible": "牵头+责任 lead and responsible" }[r] || r;
  }
  function leadShareText(u) {
    if (!u.n_lead) return "牵头份额 lead share 0 (不牵头 leads no measure)";
    return "牵头份额 lead share " + fmt(u.lead_share) + " (Σ 1/k over " + u.n_lead + " measure" +
      (u.n_lead === 1 ? "" : "s") + " led; k = lead units of the measure)";
  }
  function sectionText(m) { return m.plan_title + " · " + (m.section_no !== null ? m.section_no + ". " : "") + m.section_title; }
  function measureBlock(mid, role) {
    var m = D.measures[mid];
    var box = el("div", "m " + roleClass(role));
    var head = el("div");
    head.appendChild(m || byId[mid] ? link(mid, mid, "id") : el("span", "id", mid));
    if (role) head.appendChild(el("span", "meta", "  " + roleText(role)));
    box.appendChild(head);
    if (!m) return box;
    box.appendChild(el("div", null, m.text));
    box.appendChild(el("div", "meta", sectionText(m)));
    return box;
  }
  function chips(list, withCount) {
    var c = el("div", "chips");
    list.forEach(function (x) {
      var id = withCount ? x[0] : x;
      var s = byId[id] ? link(id, withCount ? id + " (" + x[1] + ")" : id, "") : el("span", "plain", id);
      if (D.units[id] && D.units[id].name_en) s.title = D.units[id].name_en;
      else if (!byId[id]) s.title = "不在本图中 not in this view";
      c.appendChild(s);
    });
    return c;
  }
  var lastUnit = null;
  function showUnit(id) {
    var u = D.units[id];
    lastUnit = id;
    clear(info);
    info.appendChild(el("h2", null, id));
    info.appendChild(el("div", "en", u.name_en));
    info.appendChild(el("div", "kv", u.system_zh + " · " + u.system_en + (u.cluster ? " · 群 cluster " + u.cluster : "")));
    info.appendChild(el("div", "kv", "牵头 lead " + u.n_lead + " · 责任 responsible " + u.n_responsible));
    info.appendChild(el("div", "kv", leadShareText(u)));
    if (u.aliases && u.aliases.length) info.appendChild(el("div", "kv", "别名 aliases: " + u.aliases.join("、")));
    if (u.coleads && u.coleads.length) {
      info.appendChild(el("h4", null, "共同牵头单位 Co-leads (" + u.coleads.length + ", shared measures)"));
      info.appendChild(chips(u.coleads, true));
    }
    var groups = [["lead", "牵头的举措 Measures led"], ["lead+responsible", "既牵头又负责 Lead and responsible"],
                  ["responsible", "负责的举措 Measures responsible for"]];
    groups.forEach(function (g) {
      var ms = u.measures.filter(function (x) { return x[1] === g[0]; });
      if (!ms.length) return;
      info.appendChild(el("h4", null, g[1] + " (" + ms.length + ")"));
      ms.forEach(function (x) { info.appendChild(measureBlock(x[0], x[1])); });
    });
  }
  function showMeasure(id) {
    var m = D.measures[id];
    clear(info);
    if (!byId[id] && lastUnit) { // the co-lead view: a measure is shown in the panel, not as a node
      var back = link(lastUnit, "← " + lastUnit, "link back");
      info.appendChild(back);
    }
    info.appendChild(el("h2", null, "举措 Measure " + id));
    info.appendChild(el("div", "kv", m.plan_title));
    info.appendChild(el("div", "kv", "第" + (m.section_no !== null ? m.section_no : "?") + "部分 section: " + m.section_title + " · 第" + m.item_no + "项 item"));
    var t = el("div", "m");
    t.textContent = m.text;
    info.appendChild(t);
    info.appendChild(el("h4", null, "牵头单位 Lead units (" + m.lead.length + ")"));
    info.appendChild(chips(m.lead, false));
    info.appendChild(el("h4", null, "责任单位 Responsible units (" + m.responsible.length + ")"));
    info.appendChild(m.responsible.length ? chips(m.responsible, false) : el("div", "meta", "无 none named"));
  }
  function showHelp() {
    clear(info);
    info.appendChild(el("div", "hint", "节点大小 = 工作量;颜色见图例。Node size = workload; colours as in the legend. " +
      "Scroll to zoom: smaller labels and measure ids appear. Click a node to list its neighbours with their full text. " +
      "Search: ↑ ↓ choose, Enter select, Esc clear."));
  }
  function focusOn(id) {
    var dy = narrow() && side.classList.contains("open") ? -side.getBoundingClientRect().height / 2 : 0;
    network.focus(id, { scale: Math.max(network.getScale(), 1.3), offset: { x: 0, y: dy }, animation: false });
    refresh();
  }
  function select(id, focus) {
    if (!byId[id]) return;
    selected = id;
    hideTip();
    network.selectNodes([id], false);
    highlightSet(neighbourhood(id), id);
    if (byId[id].kind === "unit") showUnit(id); else showMeasure(id);
    info.scrollTop = 0;
    if (narrow()) setPanel(true);
    if (focus) focusOn(id);
  }
  // A measure that is not a node (co-lead view): its text and units in the panel, its units highlighted.
  function openMeasure(mid) {
    var m = D.measures[mid];
    if (!m) return;
    selected = null;
    network.unselectAll();
    var set = {};
    m.lead.concat(m.responsible).forEach(function (u) { if (byId[u]) set[u] = true; });
    highlightSet(set, null);
    showMeasure(mid);
    info.scrollTop = 0;
    if (narrow()) setPanel(true);
  }
  function deselect() {
    selected = null;
    lastUnit = null;
    network.unselectAll();
    unhighlight();
    showHelp();
  }
  network.on("click", function (p) {
    if (p.nodes && p.nodes.length) select(p.nodes[0], false);
    else if (!p.edges || !p.edges.length) deselect();
  });

  // ---------------------------------------------------------------- tooltip
  var tip = document.getElementById("tip");
  var mouse = { x: 0, y: 0 };
  container.addEventListener("mousemove", function (ev) {
    mouse.x = ev.clientX; mouse.y = ev.clientY;
    if (tip.style.display === "block") placeTip();
  });
  function placeTip() {
    var r = tip.getBoundingClientRect();
    var x = mouse.x + 14, y = mouse.y + 14;
    if (x + r.width > window.innerWidth - 4) x = Math.max(4, mouse.x - r.width - 14);
    if (y + r.height > window.innerHeight - 4) y = Math.max(4, mouse.y - r.height - 14);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function nodeTip(id) {
    clear(tip);
    var n = byId[id];
    if (n.kind === "unit") {
      var u = D.units[id];
      tip.appendChild(el("b", null, id));
      tip.appendChild(el("div", "meta", u.name_en + " · " + u.system_zh + " " + u.system_en));
      tip.appendChild(el("div", null, "牵头 lead " + u.n_lead + " · 责任 responsible " + u.n_responsible));
      tip.appendChild(el("div", null, leadShareText(u)));
    } else {
      var m = D.measures[id];
      tip.appendChild(el("b", null, id));
      tip.appendChild(el("div", null, m.text));
      tip.appendChild(el("div", "meta", sectionText(m)));
      tip.appendChild(el("div", "meta", "牵头 lead: " + m.lead.join("、")));
      tip.appendChild(el("div", "meta", "责任 responsible: " + (m.responsible.join("、") || "—")));
    }
  }
  function edgeTip(i) {
    clear(tip);
    var e = D.edges[i];
    if (D.kind === "network") {
      tip.appendChild(el("b", null, e.from + " → " + e.to));
      tip.appendChild(el("div", null, roleText(e.role)));
      var m = D.measures[e.to];
      if (m) tip.appendChild(el("div", "meta", m.text));
    } else {
      tip.appendChild(el("b", null, e.from + " – " + e.to));
      tip.appendChild(el("div", null, "共同牵头 " + e.count + " 项 · co-lead " + e.count + " measure(s) · Jaccard " + e.jaccard));
      tip.appendChild(el("div", "meta", e.measures.join(" ")));
    }
  }
  network.on("hoverNode", function (p) { nodeTip(p.node); tip.style.display = "block"; placeTip(); });
  network.on("hoverEdge", function (p) { edgeTip(p.edge); tip.style.display = "block"; placeTip(); });
  function hideTip() { tip.style.display = "none"; }
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  container.addEventListener("mouseleave", hideTip);

  // ---------------------------------------------------------------- search
  /* Ranking: an exact name (or measure id) first, then names that start with the query, then names
     that contain it, then matches spread over names and text; within each, units before measures,
     shorter names first, then the more loaded unit. Multi-word queries need every word somewhere. */
  var q = document.getElementById("q"), results = document.getElementById("results");
  var hay = D.nodes.map(function (n) {
    var names = [n.id], text = "";
    if (n.kind === "unit") { var u = D.units[n.id]; names = names.concat([u.name_en], u.aliases || []); }
    else text = D.measures[n.id].text;
    names = names.filter(Boolean).map(function (s) { return s.toLowerCase(); });
    return { id: n.id, kind: n.kind, rank: n.rank, names: names, s: (names.join(" ") + " " + text).toLowerCase() };
  });
  function search(text) {
    var t = String(text || "").trim().toLowerCase().replace(/\s+/g, " ");
    if (!t) return [];
    var words = t.split(" ");
    var out = [];
    hay.forEach(function (h) {
      if (!words.every(function (w) { return h.s.indexOf(w) >= 0; })) return;
      var tier = 3, len = Infinity;
      h.names.forEach(function (nm) {
        var k = nm === t ? 0 : (nm.indexOf(t) === 0 ? 1 : (nm.indexOf(t) > 0 ? 2 : 3));
        if (k < tier || (k === tier && nm.length < len)) { tier = k; len = nm.length; }
      });
      out.push({ id: h.id, key: [tier, h.kind === "unit" ? 0 : 1, tier < 3 ? len : 0, h.rank] });
    });
    out.sort(function (a, b) {
      for (var i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
      return a.id < b.id ? -1 : (a.id > b.id ? 1 : 0);
    });
    return out.map(function (h) { return h.id; });
  }
  var shown = [], active = 0;
  function setActive(k) {
    var rows = results.querySelectorAll("div.r");
    if (!rows.length) return;
    active = Math.max(0, Math.min(k, rows.length - 1));
    Array.prototype.forEach.call(rows, function (r, i) {
      r.classList.toggle("on", i === active);
      r.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (rows[active].scrollIntoView) rows[active].scrollIntoView({ block: "nearest" });
  }
  function showResults() {
    clear(results);
    shown = search(q.value).slice(0, 40);
    active = 0;
    shown.forEach(function (id, k) {
      var row = el("div", "r");
      row.setAttribute("role", "option");
      if (byId[id].kind === "unit") {
        row.appendChild(document.createTextNode(id));
        row.appendChild(el("span", "en", D.units[id].name_en));
      } else {
        row.appendChild(el("b", null, id + " "));
        row.appendChild(document.createTextNode(D.measures[id].text));
      }
      row.title = byId[id].kind === "unit" ? D.units[id].name_en : D.measures[id].text;
      row.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(id); });
      row.addEventListener("mousemove", function () { if (active !== k) setActive(k); });
      results.appendChild(row);
    });
    setActive(0);
    if (q.value.trim() && !shown.length) results.appendChild(el("div", "hint", "无结果 · no match"));
  }
  function choose(id) { select(id, true); clear(results); shown = []; }
  q.addEventListener("input", showResults);
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!results.firstChild) showResults();
      setActive(active + (ev.key === "ArrowDown" ? 1 : -1));
    } else if (ev.key === "Enter") {
      if (!shown.length) showResults();
      if (shown.length) choose(shown[active] || shown[0]);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      q.value = "";
      clear(results);
      shown = [];
      deselect();
    }
  });
  q.addEventListener("blur", function () { setTimeout(function () { clear(results); }, 150); });
  q.addEventListener("focus", showResults);

  // ---------------------------------------------------------------- PNG: title, graph at 2x or more, legend
  var PNG_LEGEND = 300;
  function legendLines() {
    var lines = [], c = legendCounts(), hidden = [];
    D.facets.forEach(function (f) {
      lines.push({ head: f.label });
      f.items.forEach(function (it) {
        if (off[f.key] && off[f.key][it.value]) { hidden.push(it.label); return; }
        var v = (c[f.key] && c[f.key][it.value]) || 0;
        lines.push({ it: it, n: v === it.n ? String(it.n) : v + "/" + it.n });
      });
    });
    if (hidden.length) lines.push({ head: "已隐藏 Hidden: " + hidden.join("、") });
    return lines;
  }
  function fitText(g, text, width) {
    if (g.measureText(text).width <= width) return text;
    var s = text;
    while (s.length > 1 && g.measureText(s + "…").width > width) s = s.slice(0, -1);
    return s + "…";
  }
  function png(factor) {
    var k = Math.max(2, factor || 2, (window.devicePixelRatio || 1) * 2);
    var cv = network.canvas, src = cv.frame.canvas, cw = src.clientWidth, ch = src.clientHeight, old = cv.pixelRatio;
    var top = Math.round(barBottom), gh = ch - top, head = 58;
    var lines = legendLines(), lh = 18, legendH = 16 + lines.length * lh;
    var out = document.createElement("canvas");
    out.width = Math.round((cw + PNG_LEGEND) * k);
    out.height = Math.round(Math.max(head + gh, legendH + 10) * k);
    var g = out.getContext("2d");
    g.scale(k, k);
    g.fillStyle = "#FFFFFF";
    g.fillRect(0, 0, cw + PNG_LEGEND, out.height / k);
    // the graph, redrawn at k times the resolution
    cv.pixelRatio = k;
    src.width = Math.round(cw * k);
    src.height = Math.round(ch * k);
    try {
      network.renderer._redraw();
      g.drawImage(src, 0, top * k, cw * k, gh * k, 0, head, cw, gh);
    } finally {
      cv.pixelRatio = old;
      src.width = Math.round(cw * old);
      src.height = Math.round(ch * old);
      network.renderer._redraw();
    }
    g.textBaseline = "alphabetic";
    g.fillStyle = "#222222";
    g.font = "600 18px " + FONT_FACE;
    g.fillText(fitText(g, D.title, cw + PNG_LEGEND - 20), 10, 24);
    g.fillStyle = "#555555";
    g.font = "12px " + FONT_FACE;
    g.fillText(fitText(g, D.subtitle, cw + PNG_LEGEND - 20), 10, 44);
    g.strokeStyle = "#DDDDDD";
    g.beginPath(); g.moveTo(cw + 0.5, head); g.lineTo(cw + 0.5, out.height / k); g.stroke();
    var x0 = cw + 12, y = head + 6, wText = PNG_LEGEND - 30;
    lines.forEach(function (ln) {
      y += lh;
      if (ln.head) {
        g.fillStyle = "#666666";
        g.font = "600 11px " + FONT_FACE;
        g.fillText(fitText(g, ln.head, wText + 10), x0, y);
        return;
      }
      var it = ln.it, cyy = y - 4;
      g.fillStyle = it.color; g.strokeStyle = it.color;
      if (it.shape === "dot") { g.beginPath(); g.arc(x0 + 6, cyy, 5.5, 0, 2 * Math.PI); g.fill(); }
      else if (it.shape === "ring") { g.lineWidth = 3; g.beginPath(); g.arc(x0 + 6, cyy, 4.5, 0, 2 * Math.PI); g.stroke(); }
      else if (it.shape === "square") g.fillRect(x0 + 2, cyy - 4, 8, 8);
      else { g.lineWidth = it.shape === "dashed" ? 2 : 3; g.setLineDash(it.shape === "dashed" ? [4, 3] : []);
             g.beginPath(); g.moveTo(x0, cyy); g.lineTo(x0 + 12, cyy); g.stroke(); g.setLineDash([]); }
      g.fillStyle = "#222222";
      g.font = "12px " + FONT_FACE;
      var label = it.label + (it.label_en && it.label_en !== it.label ? " " + it.label_en : "");
      g.textAlign = "right";
      g.fillStyle = "#888888";
      g.fillText(ln.n, x0 + wText + 10, y);
      var nw = g.measureText(ln.n).width;
      g.textAlign = "left";
      g.fillStyle = "#222222";
      g.fillText(fitText(g, label, wText - 22 - nw), x0 + 18, y);
    });
    return out.toDataURL("image/png");
  }
  function savePng() {
    var a = document.createElement("a");
    a.href = png();
    a.download = (D.kind === "network" ? "network" : "colead") + "-view.png";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }
  function resetAll() {
    off = {};
    Array.prototype.forEach.call(legend.querySelectorAll(".lg.off"), function (r) {
      r.classList.remove("off");
      r.setAttribute("aria-checked", "true");
    });
    applyFilters();
    deselect();
    network.moveTo({ position: { x: 0, y: 0 }, scale: 1 });
    refresh();
  }
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: false }); refresh(); });
  document.getElementById("clear").addEventListener("click", resetAll);
  document.getElementById("png").addEventListener("click", savePng);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && document.activeElement !== q) deselect(); });

  showHelp();
  updateCounts();
  window.view = { select: select, deselect: deselect, search: search, png: png, reset: resetAll, data: D,
                  openMeasure: openMeasure, counts: legendCounts, panel: setPanel };
})();
