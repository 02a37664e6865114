/* Reviewer's network view (analysis/views.py). Every text from the data is inserted with
   textContent or as a DOM text node, never as HTML. Globals: `network` (vis-network) and `view`. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("view-data").textContent);
  var DIM_NODE = "#E6E6E6", DIM_EDGE = "rgba(190,190,190,0.18)", LABEL_COLOR = "#222222";
  // Labels smaller than DRAW_THRESHOLD - 1 screen pixels are not drawn (vis-network); SHOW_FONT is the
  // font of the neighbours of a selection, readable at the opening zoom.
  var SHOW_FONT = 13, DRAW_THRESHOLD = 12;
  var FONT_FACE = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function fmt(x) { return (Math.round(x * 100) / 100).toString(); }

  document.getElementById("title").textContent = D.title;
  document.getElementById("subtitle").textContent = D.subtitle;

  // ---------------------------------------------------------------- nodes and edges
  var container = document.getElementById("net");
  var W = Math.max(container.clientWidth, 300), H = Math.max(container.clientHeight, 240);
  var SX = W * 0.45, SY = (H - 50) * 0.44, OY = 20; // leave room for the title bar
  var byId = {}, adj = {};
  var baseNodes = D.nodes.map(function (n) {
    byId[n.id] = n;
    adj[n.id] = [];
    var isUnit = n.kind === "unit";
    return {
      id: n.id, label: n.label, x: n.x * SX, y: n.y * SY + OY, size: n.size,
      shape: isUnit ? "dot" : "square",
      color: { background: n.color, border: n.border || (isUnit ? "#FFFFFF" : n.color),
               highlight: { background: n.color, border: "#000000" }, hover: { background: n.color, border: "#333333" } },
      borderWidth: n.border ? 3 : (isUnit ? 1 : 0), borderWidthSelected: 3,
      font: { size: n.font, color: LABEL_COLOR, face: FONT_FACE, strokeWidth: 3, strokeColor: "#FFFFFF" },
      hidden: false
    };
  });
  var baseEdges = D.edges.map(function (e, i) {
    adj[e.from].push(e.to);
    adj[e.to].push(e.from);
    return { id: i, from: e.from, to: e.to, width: e.width, dashes: e.dashes ? [5, 4] : false,
             color: { color: e.color, highlight: e.color, hover: e.color, opacity: 1 }, hidden: false };
  });
  // Node style = base style + selection (neighbours boosted, others dimmed) + declutter
  // (a label that would overlap a more important one is not drawn).
  var selected = null, selSet = null, muted = {}, styleKey = {};
  var HIDE = { color: "rgba(0,0,0,0)", strokeWidth: 0 };
  function fontSize(b) {
    if (!selSet) return b.font.size;
    if (b.id === selected) return Math.max(b.font.size, 16);
    return selSet[b.id] ? Math.max(b.font.size, SHOW_FONT) : b.font.size;
  }
  function nodeStyle(b) {
    var dim = selSet && !selSet[b.id];
    var font = Object.assign({}, b.font, { size: fontSize(b) }, (dim || muted[b.id]) ? HIDE : {});
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
  var measureCtx = document.createElement("canvas").getContext("2d"), widthCache = {};
  function labelWidth(text) { // width of `text` at font size 1
    if (!(text in widthCache)) {
      measureCtx.font = "100px " + FONT_FACE;
      widthCache[text] = measureCtx.measureText(text).width / 100;
    }
    return widthCache[text];
  }
  var THRESHOLD = DRAW_THRESHOLD - 1;
  var priority = baseNodes.slice().sort(function (a, b) {
    return byId[a.id].rank - byId[b.id].rank;
  });
  function declutter(scale, toDOM) { // arguments only before the network exists
    if (scale === undefined) {
      var pos = network.getPositions();
      scale = network.getScale();
      toDOM = function (b) { return network.canvasToDOM(pos[b.id]); };
    }
    var boxes = [], next = {};
    var order = selSet ? priority.filter(function (b) { return b.id === selected; })
      .concat(priority.filter(function (b) { return b.id !== selected && selSet[b.id]; })) : priority;
    order.forEach(function (b) {
      if (hiddenNode[b.id]) return;
      var fs = fontSize(b) * scale;
      if (fs < THRESHOLD) return; // vis-network does not draw it anyway
      var p = toDOM(b), w = labelWidth(b.label) * fs, top = p.y + b.size * scale + 1;
      var box = [p.x - w / 2 - 2, top, p.x + w / 2 + 2, top + fs * 1.15];
      for (var i = 0; i < boxes.length; i++) {
        var o = boxes[i];
        if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) { next[b.id] = true; return; }
      }
      boxes.push(box);
    });
    muted = next;
    if (network) refreshNodes(false);
  }
  // Declutter once before the network exists (opening view: scale 1, centred on (0, OY)), so
  // the first draw already has the final labels.
  var hiddenNode = {}, network = null;
  declutter(1, function (b) { return { x: b.x + W / 2, y: b.y - OY + H / 2 }; });
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
    nodes: { scaling: { label: { enabled: false, drawThreshold: DRAW_THRESHOLD, maxVisible: 40 } } },
    edges: { smooth: false, selectionWidth: 1.5, hoverWidth: 0.5 }
  };
  network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.network = network;
  network.once("afterDrawing", function () {
    if (window.performance && performance.mark) performance.mark("view-first-draw");
  });
  network.moveTo({ position: { x: 0, y: OY }, scale: 1 });

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
  function applyFilters() {
    hiddenNode = {};
    var nu = D.nodes.map(function (n) {
      var h = !facetVisible(n.facets);
      hiddenNode[n.id] = h;
      return { id: n.id, hidden: h };
    });
    var eu = D.edges.map(function (e, i) {
      return { id: i, hidden: hiddenNode[e.from] || hiddenNode[e.to] || !facetVisible(e.facets) };
    });
    nodes.update(nu);
    edges.update(eu);
    declutter();
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
      row.appendChild(el("span", "n", it.n));
      row.title = it.label + (it.label_en ? " · " + it.label_en : "");
      row.setAttribute("role", "switch");
      row.addEventListener("click", function () {
        off[f.key] = off[f.key] || {};
        off[f.key][it.value] = !off[f.key][it.value];
        row.classList.toggle("off", !!off[f.key][it.value]);
        applyFilters();
        if (selected !== null) highlight(selected);
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

  var declutterTimer = null;
  function scheduleDeclutter() {
    if (declutterTimer) clearTimeout(declutterTimer);
    declutterTimer = setTimeout(function () { declutterTimer = null; declutter(); }, 80);
  }
  network.on("zoom", scheduleDeclutter);
  network.on("dragEnd", scheduleDeclutter);
  network.on("resize", scheduleDeclutter);

  function highlight(id) {
    selSet = neighbourhood(id);
    declutter();
    edges.update(baseEdges.map(function (b) {
      var on = b.from === id || b.to === id;
      if (!on && D.kind === "network" && byId[id].kind === "unit" && selSet[b.from] && adj[id].indexOf(b.to) >= 0) {
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
    a.addEventListener("click", function () { select(id, true); });
    return a;
  }
  function roleClass(r) { return r === "lead" ? "lead" : (r === "responsible" ? "responsible" : "both"); }
  function roleText(r) {
    return { "lead": "牵头 lead", "responsible": "责任 responsible", "lead+responsible": "牵头+责任 lead and responsible" }[r] || r;
  }
  function measureBlock(mid, role) {
    var m = D.measures[mid];
    var box = el("div", "m " + roleClass(role));
    var head = el("div");
    head.appendChild(link(mid, mid, "id"));
    if (role) head.appendChild(el("span", "meta", "  " + roleText(role)));
    box.appendChild(head);
    if (!m) return box;
    box.appendChild(el("div", null, m.text));
    box.appendChild(el("div", "meta", m.plan_title + " · " + (m.section_no !== null ? m.section_no + ". " : "") + m.section_title));
    return box;
  }
  function chips(list, withCount) {
    var c = el("div", "chips");
    list.forEach(function (x) {
      var id = withCount ? x[0] : x;
      var s = byId[id] ? link(id, withCount ? id + " (" + x[1] + ")" : id, "") : el("span", null, id);
      if (D.units[id] && D.units[id].name_en) s.title = D.units[id].name_en;
      c.appendChild(s);
    });
    return c;
  }
  function showUnit(id) {
    var u = D.units[id];
    clear(info);
    info.appendChild(el("h2", null, id));
    info.appendChild(el("div", "en", u.name_en));
    var sys = el("div", "kv", u.system_zh + " · " + u.system_en + (u.cluster ? " · 群 cluster " + u.cluster : ""));
    info.appendChild(sys);
    info.appendChild(el("div", "kv", "牵头 lead " + u.n_lead + " · 责任 responsible " + u.n_responsible +
      " · 牵头份额 lead share " + fmt(u.lead_share)));
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
      "Scroll to zoom: smaller labels and measure ids appear. Click a node to list its neighbours with their full text."));
  }
  function select(id, focus) {
    if (!byId[id]) return;
    selected = id;
    hideTip();
    network.selectNodes([id], false);
    highlight(id);
    if (byId[id].kind === "unit") showUnit(id); else showMeasure(id);
    info.scrollTop = 0;
    if (focus) { network.focus(id, { scale: Math.max(network.getScale(), 1.3), animation: false }); declutter(); }
  }
  function deselect() {
    selected = null;
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
      tip.appendChild(el("div", null, "牵头 lead " + u.n_lead + " · 责任 responsible " + u.n_responsible +
        " · 牵头份额 lead share " + fmt(u.lead_share)));
    } else {
      var m = D.measures[id];
      tip.appendChild(el("b", null, id));
      tip.appendChild(el("div", null, m.text));
      tip.appendChild(el("div", "meta", m.plan_title + " · " + (m.section_no !== null ? m.section_no + ". " : "") + m.section_title));
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
  var q = document.getElementById("q"), results = document.getElementById("results");
  var hay = D.nodes.map(function (n) {
    var s = n.id;
    if (n.kind === "unit") { var u = D.units[n.id]; s += " " + u.name_en + " " + (u.aliases || []).join(" "); }
    else s += " " + D.measures[n.id].text;
    return { id: n.id, kind: n.kind, s: s.toLowerCase() };
  });
  function search(text) {
    var t = String(text || "").trim().toLowerCase();
    if (!t) return [];
    var words = t.split(/\s+/);
    var out = hay.filter(function (h) { return words.every(function (w) { return h.s.indexOf(w) >= 0; }); });
    out.sort(function (a, b) { return (a.kind === b.kind ? 0 : (a.kind === "unit" ? -1 : 1)); });
    return out.map(function (h) { return h.id; });
  }
  function showResults() {
    clear(results);
    var ids = search(q.value).slice(0, 40);
    ids.forEach(function (id, k) {
      var row = el("div", k === 0 ? "on" : null);
      if (byId[id].kind === "unit") {
        row.appendChild(document.createTextNode(id));
        row.appendChild(el("span", "en", D.units[id].name_en));
      } else {
        row.appendChild(el("b", null, id + " "));
        row.appendChild(document.createTextNode(D.measures[id].text));
      }
      row.title = byId[id].kind === "unit" ? D.units[id].name_en : D.measures[id].text;
      row.addEventListener("mousedown", function (ev) { ev.preventDefault(); select(id, true); clear(results); });
      results.appendChild(row);
    });
    if (q.value.trim() && !ids.length) results.appendChild(el("div", "hint", "无结果 · no match"));
  }
  q.addEventListener("input", showResults);
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var ids = search(q.value); if (ids.length) { select(ids[0], true); clear(results); } }
    if (ev.key === "Escape") { q.value = ""; clear(results); }
  });
  q.addEventListener("blur", function () { setTimeout(function () { clear(results); }, 150); });
  q.addEventListener("focus", showResults);

  // ---------------------------------------------------------------- buttons, PNG
  function png() {
    var src = container.querySelector("canvas");
    var c = document.createElement("canvas");
    c.width = src.width; c.height = src.height;
    var g = c.getContext("2d");
    g.fillStyle = "#FFFFFF";
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(src, 0, 0);
    return c.toDataURL("image/png");
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
    Array.prototype.forEach.call(legend.querySelectorAll(".lg.off"), function (r) { r.classList.remove("off"); });
    applyFilters();
    deselect();
    network.moveTo({ position: { x: 0, y: OY }, scale: 1 });
    declutter();
  }
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: false }); declutter(); });
  document.getElementById("clear").addEventListener("click", resetAll);
  document.getElementById("png").addEventListener("click", savePng);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && document.activeElement !== q) deselect(); });

  showHelp();
  window.view = { select: select, deselect: deselect, search: search, png: png, reset: resetAll, data: D };
})();
