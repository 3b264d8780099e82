// ChainSight chain views: draws the JSON of #cs-data with vis-network. Physics is off: every position
// comes from Python. Names and evidence are data: they are only ever set with textContent.
(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("cs-data").textContent);
  var t1 = performance.now();
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var KINDS = data.kinds;
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var folds = new Map();
  data.folds.forEach(function (f) { folds.set(f.id, f); });
  var open = new Set();  // folds expanded so far

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function str(i) { return data.strings[i]; }  // repeated text sits once in data.strings
  function tip(lines) {  // vis-network shows an Element title as it is: built from text only
    var box = el("div", "cs-tip");
    lines.forEach(function (line, i) { box.appendChild(el("div", i === 0 ? "cs-tip-head" : null, line)); });
    return box;
  }
  function look(kind) { return KINDS[kind] || KINDS.existing; }
  function visNode(n) {
    var s = look(n.kind);
    return {id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, shape: s.shape,
      color: {background: s.color, border: s.border, highlight: {background: s.color, border: "#000"},
              hover: {background: s.color, border: "#000"}},
      title: tip([n.name].concat(n.tip.map(str))), font: n.kind === "core" ? {size: 18, bold: {size: 18}} : undefined};
  }
  function visFold(f) {
    var s = KINDS.fold;
    return {id: f.id, label: f.label, x: f.x, y: f.y, shape: "box", shapeProperties: {borderDashes: [4, 3]},
      color: {background: s.color, border: s.border}, title: tip(f.tip.map(str)), margin: 6};
  }
  function visEdge(e, dashed) {
    return {id: e.id, from: e.from, to: e.to, width: e.width, title: tip(e.tip.map(str)), dashes: !!(dashed || e.dashes),
            arrows: e.arrows === false ? {to: {enabled: false}} : undefined};
  }

  var initial = data.nodes.filter(function (n) { return !n.fold; });
  var shown = new Set(initial.map(function (n) { return n.id; }));
  var nodes = new vis.DataSet(initial.map(visNode).concat(data.folds.map(visFold)));
  var edgeList = data.edges.filter(function (e) { return shown.has(e.from) && shown.has(e.to); })
    .map(function (e) { return visEdge(e, false); });
  data.folds.forEach(function (f) { if (f.edge) { edgeList.push(visEdge(f.edge, true)); } });
  var edges = new vis.DataSet(edgeList);
  var big = data.nodes.length > 600;
  var container = document.getElementById("cs-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, {
    autoResize: true, physics: false, layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                  keyboard: false, multiselect: false},
    nodes: {font: {face: FONT, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#fff"}, borderWidth: 1},
    edges: {smooth: false, arrows: {to: {enabled: true, scaleFactor: 0.45}}, selectionWidth: 1.5,
            hoverWidth: 0, color: {color: "rgba(80,80,80,0.35)", highlight: "#222", hover: "#444"}}
  });

  var view = window.chainView = {network: network, nodes: nodes, edges: edges, data: data, ready: false,
                                 focused: null, shown: null, started: t0, parsed: t1, built: performance.now()};

  // Fit the whole drawing, column headings included: vis-network's own fit sees only the nodes, so a
  // heading wider than its column's labels was cut at the edge of the canvas.
  var HEADING_FONT = "bold 16px " + FONT;
  function fitAll() {
    var box = null, measure = document.createElement("canvas").getContext("2d");
    function grow(l, t, r, b) {
      box = box ? {l: Math.min(box.l, l), t: Math.min(box.t, t), r: Math.max(box.r, r), b: Math.max(box.b, b)}
                : {l: l, t: t, r: r, b: b};
    }
    nodes.getIds({filter: function (n) { return !n.hidden; }}).forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (b) { grow(b.left, b.top, b.right, b.bottom); }
    });
    measure.font = HEADING_FONT;
    data.headings.forEach(function (h) {
      var w = measure.measureText(h.text).width;
      grow(h.x - w / 2, h.y - 18, h.x + w / 2, h.y + 6);
    });
    if (!box) { return; }
    var width = container.clientWidth || 1, height = container.clientHeight || 1, pad = 24;
    var scale = Math.min((width - 2 * pad) / Math.max(box.r - box.l, 1), (height - 2 * pad) / Math.max(box.b - box.t, 1));
    network.moveTo({position: {x: (box.l + box.r) / 2, y: (box.t + box.b) / 2},
                    scale: Math.min(Math.max(scale, 0.05), 1.5), animation: false});
  }
  fitAll();
  view.fit = fitAll;
  view.headingFont = HEADING_FONT;
  network.once("afterDrawing", function () {
    view.drawnAt = performance.now();
    view.ready = true;
    document.body.setAttribute("data-ready", "1");
  });

  // The canvas is transparent: paint it white first so a saved PNG is readable; column headings on top.
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    ctx.font = HEADING_FONT;
    ctx.fillStyle = "#555";
    ctx.textAlign = "center";
    data.headings.forEach(function (h) { ctx.fillText(h.text, h.x, h.y); });
  });

  // Hover: veil the whole drawing, then draw the neighbourhood again on top. Cost grows with the
  // neighbourhood, not with the chain (no DataSet update of every node).
  var hovered = null;
  network.on("hoverNode", function (p) { hovered = view.hovered = p.node; network.redraw(); });
  network.on("blurNode", function () { hovered = view.hovered = null; network.redraw(); });
  // The pointer leaving the drawing (for the search box, the filters) lifts the veil too: vis-network
  // sends no blurNode then, and the neighbourhood stayed lit.
  container.addEventListener("mouseleave", function () {
    if (hovered !== null) { hovered = view.hovered = null; network.redraw(); }
  });
  network.on("afterDrawing", function (ctx) {
    if (hovered === null || !nodes.get(hovered)) { return; }
    var near = network.getConnectedNodes(hovered).concat([hovered]);
    var at = network.getPositions(near);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255,255,255,0.72)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    ctx.strokeStyle = "#222";
    ctx.textBaseline = "alphabetic";
    network.getConnectedEdges(hovered).forEach(function (eid) {
      var e = edges.get(eid);
      if (!e || !at[e.from] || !at[e.to]) { return; }
      ctx.lineWidth = Math.max(1.5, e.width || 1);
      ctx.beginPath();
      ctx.moveTo(at[e.from].x, at[e.from].y);
      ctx.lineTo(at[e.to].x, at[e.to].y);
      ctx.stroke();
    });
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = "14px " + FONT;
    near.forEach(function (id) {
      var n = byId.get(id) || folds.get(id);
      if (!n || !at[id]) { return; }
      var s = look(n.kind || "fold"), r = n.size || 12, p = at[id];
      shape(ctx, s.shape, p.x, p.y, r);
      ctx.fillStyle = s.color;
      ctx.fill();
      ctx.lineWidth = id === hovered ? 3 : 1.5;
      ctx.strokeStyle = "#000";
      ctx.stroke();
      var w = ctx.measureText(n.label).width, ly = p.y + r + 12;
      ctx.fillStyle = "#fff";
      ctx.fillRect(p.x - w / 2 - 3, ly - 10, w + 6, 20);
      ctx.fillStyle = "#000";
      ctx.fillText(n.label, p.x, ly);
    });
  });
  function shape(ctx, kind, x, y, r) {  // the outline vis-network draws for each shape we use
    var pts = null, i;
    ctx.beginPath();
    if (kind === "triangle") { pts = [[0, -1], [0.87, 0.5], [-0.87, 0.5]]; }
    else if (kind === "diamond") { pts = [[0, -1], [1, 0], [0, 1], [-1, 0]]; }
    else if (kind === "square" || kind === "box") { pts = [[-1, -1], [1, -1], [1, 1], [-1, 1]]; }
    else if (kind === "star") {
      pts = [];
      for (i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + i * Math.PI / 5, k = i % 2 ? 0.42 : 1;
        pts.push([k * Math.cos(a), k * Math.sin(a)]);
      }
    }
    if (!pts) { ctx.arc(x, y, r, 0, 2 * Math.PI); return; }
    ctx.moveTo(x + pts[0][0] * r, y + pts[0][1] * r);
    for (i = 1; i < pts.length; i++) { ctx.lineTo(x + pts[i][0] * r, y + pts[i][1] * r); }
    ctx.closePath();
  }

  // Evidence panel.
  var panel = document.getElementById("cs-panel");
  function showEvidence(id) {
    var n = byId.get(id);
    if (!n) { return; }
    document.getElementById("cs-panel-name").textContent = n.name;
    var body = document.getElementById("cs-panel-rows");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    n.ev.forEach(function (row) {  // [index into data.labels, index into data.strings]
      var tr = el("tr"), label = data.labels[row[0]];
      tr.appendChild(el("th", null, label[0] && label[1] ? label[0] + " · " + label[1] : label[0] || label[1]));
      tr.appendChild(el("td", null, str(row[1])));
      body.appendChild(tr);
    });
    panel.hidden = false;
    view.shown = id;
    view.shownAt = performance.now();
  }
  document.getElementById("cs-close").addEventListener("click", function () {
    panel.hidden = true; view.shown = null;
  });

  // Folds: a "+N more" node opens into its members (and the edges whose other end is drawn).
  function expand(fid) {
    var f = folds.get(fid);
    if (!f || open.has(fid)) { return; }
    open.add(fid);
    var add = f.members.map(function (id) { return byId.get(id); });
    add.forEach(function (n) { shown.add(n.id); });
    nodes.add(add.map(function (n) { var v = visNode(n); v.hidden = !passes(n.f); return v; }));
    nodes.remove(fid);
    if (f.edge) { edges.remove(f.edge.id); }
    var ids = new Set(f.members);
    edges.add(data.edges.filter(function (e) {
      return (ids.has(e.from) || ids.has(e.to)) && shown.has(e.from) && shown.has(e.to) && !edges.get(e.id);
    }).map(function (e) { return visEdge(e, false); }));
  }
  network.on("click", function (p) {
    if (!p.nodes.length) { return; }
    var id = p.nodes[0];
    if (folds.has(id)) { expand(id); } else { showEvidence(id); }
  });

  // Search: an exact name, else the best-placed name or id containing the text.
  var names = document.getElementById("cs-names"), search = document.getElementById("cs-search");
  function fillNames() {  // on first use: 2,000 options would slow the first frame
    search.removeEventListener("focus", fillNames);
    if (names.firstChild) { return; }
    data.nodes.forEach(function (n) { var o = document.createElement("option"); o.value = n.name; names.appendChild(o); });
  }
  search.addEventListener("focus", fillNames);
  function find(q) {
    q = String(q || "").trim();
    if (!q) { return null; }
    var exact = data.nodes.filter(function (n) { return n.name === q || n.id === q; });
    if (exact.length) { return exact[0]; }
    var part = data.nodes.filter(function (n) { return n.name.indexOf(q) >= 0 || n.id.indexOf(q) >= 0; });
    part.sort(function (a, b) { return (b.score || 0) - (a.score || 0); });
    return part.length ? part[0] : null;
  }
  function focus(q) {
    var n = find(q), status = document.getElementById("cs-found");
    if (!n) { status.textContent = "未找到 · not found"; return null; }
    if (n.fold) { expand(n.fold); }
    if (!passes(n.f)) { resetFilters(); }
    network.selectNodes([n.id]);
    network.focus(n.id, {scale: Math.max(network.getScale(), 1.1), animation: false});
    showEvidence(n.id);
    status.textContent = "";
    view.focused = n.id;
    return n.id;
  }
  document.getElementById("cs-find").addEventListener("submit", function (ev) {
    ev.preventDefault();
    focus(document.getElementById("cs-search").value);
  });

  // Filters by kind, side and tier: one checkbox per value; the core and headings always stay.
  var boxes = [];
  var bar = document.getElementById("cs-filters");
  data.filters.forEach(function (group) {
    var fs = el("fieldset");
    fs.appendChild(el("legend", null, group.zh + " " + group.en));
    group.options.forEach(function (o) {
      var label = el("label"), box = el("input");
      box.type = "checkbox"; box.checked = true;
      box.setAttribute("data-key", group.key); box.setAttribute("data-value", o.value);
      box.addEventListener("change", applyFilters);
      boxes.push(box);
      label.appendChild(box);
      label.appendChild(el("span", null, o.zh + " " + o.en));
      fs.appendChild(label);
    });
    bar.appendChild(fs);
  });
  function passes(f) {  // a node fails when one of its values has its box unticked
    return boxes.every(function (b) { return b.checked || f[b.getAttribute("data-key")] !== b.getAttribute("data-value"); });
  }
  function applyFilters() {
    var changes = [];
    nodes.forEach(function (v) {
      var n = byId.get(v.id) || folds.get(v.id), hide = !passes(n.f);
      if (!!v.hidden !== hide) { changes.push({id: v.id, hidden: hide}); }
    });
    if (changes.length) { nodes.update(changes); }
  }
  function resetFilters() { boxes.forEach(function (b) { b.checked = true; }); applyFilters(); }

  // Legend.
  var legend = document.querySelector("#cs-legend ul");
  var used = new Set(data.nodes.map(function (n) { return n.kind; }));
  if (data.folds.length) { used.add("fold"); }
  Object.keys(KINDS).forEach(function (k) {
    if (!used.has(k)) { return; }
    var li = el("li"), sw = el("span", "cs-swatch cs-" + KINDS[k].shape);
    sw.style.background = KINDS[k].color;
    sw.style.borderColor = KINDS[k].border;
    li.appendChild(sw);
    li.appendChild(el("span", null, KINDS[k].zh + " · " + KINDS[k].en));
    legend.appendChild(li);
  });

  // PNG: the canvas as drawn, white background included.
  document.getElementById("cs-png").addEventListener("click", function () {
    var url = container.querySelector("canvas").toDataURL("image/png");
    view.png = url;
    var a = el("a");
    a.href = url;
    a.download = (data.core_id || data.view) + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  view.find = find;
  view.focus = focus;
  view.expand = expand;
  view.showEvidence = showEvidence;
})();
