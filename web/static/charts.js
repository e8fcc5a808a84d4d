// critmin charts: every element with a data-chart attribute holds a chart
// spec written by the server (web/chart.go); this file draws it with the
// vendored Apache ECharts (or, for the genealogy, lays it out with dagre
// and draws SVG). The same numbers are in the table beside each chart,
// which stays open when JavaScript does not run.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // num writes a number as the server's tables do (web formatNum):
  // thousands separators, two decimals at most, a negative number's sign
  // the true minus (U+2212) — Intl writes the hyphen-minus.
  var fmt = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
  function num(v) {
    if (typeof v !== "number") { return v; }
    var s = fmt.format(v);
    if (/^-0$/.test(s)) { s = "0"; } // a negative that rounds to 0 is 0, as formatNum writes it
    return s.replace(/-/g, "\u2212");
  }
  function axisName(a) { return a.unit ? a.name + " (" + a.unit + ")" : a.name; }

  function axis(a, horizontal) {
    var o = {
      name: axisName(a), nameLocation: "middle", nameGap: horizontal ? 28 : 52,
      axisLabel: { hideOverlap: true, formatter: a.type === "year" ? function (v) { return String(v); } : function (v) { return num(v); } },
      splitLine: { lineStyle: { color: "#e6ebf1" } },
    };
    if (a.type === "time") {
      o.type = "time";
      o.axisLabel = { hideOverlap: true, formatter: { year: "{yyyy}", month: "{MMM} {yyyy}", day: "{d} {MMM}" } };
    } else if (a.type === "category") {
      o.type = "category"; o.data = a.categories;
      o.axisLabel = { hideOverlap: true, interval: 0, width: 160, overflow: "truncate" };
    } else {
      o.type = "value"; o.scale = false;
      if (a.type === "year") { o.minInterval = 1; o.scale = true; }
      if (a.max != null) { o.max = a.max; }
    }
    // A horizontal axis's first label starts at the plot's corner rather
    // than centred on it, clear of the vertical axis's lowest label (the
    // "0" beside it touched "2023" on /risk, issue 15, fix15s).
    if (horizontal && o.type !== "category") { o.axisLabel.alignMinLabel = "left"; }
    return o;
  }

  // legendRows is how many rows ECharts' plain legend takes in a chart
  // width wide: every entry is shown (a paged legend hides commodities),
  // wrapped as ECharts wraps it (icon 25 px, 5 px to the text, 10 px
  // between entries), and the plot starts below the last row.
  function legendRows(names, width) {
    var rows = 1, x = 0, avail = Math.max(width - 10, 100);
    names.forEach(function (n) {
      var w = 25 + 5 + labelWidth([n]) + 10;
      if (x > 0 && x + w > avail) { rows++; x = 0; }
      x += w;
    });
    return rows;
  }

  function lineOption(c, el) {
    var series = [];
    (c.bands || []).forEach(function (b, i) {
      var stack = "band" + i;
      series.push({ type: "line", name: b.name + " low", stack: stack, data: b.low, symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false }, silent: true });
      series.push({ type: "line", name: b.name, stack: stack, data: b.width, symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: b.colour, opacity: 0.18 }, silent: true });
    });
    c.series.forEach(function (s, i) {
      var o = { type: "line", name: s.name, data: s.data, itemStyle: { color: s.colour }, lineStyle: { color: s.colour, width: 2.5 }, symbolSize: 6 };
      if (i === 0 && c.refs) {
        o.markLine = { symbol: "none", silent: true, lineStyle: { color: "#475467", type: "dashed" },
          label: { position: "insideStartTop", formatter: "{b}", color: "#475467" },
          data: c.refs.map(function (r) { return { yAxis: r.value, name: r.label }; }) };
      }
      series.push(o);
    });
    var names = c.series.map(function (s) { return s.name; });
    var rows = legendRows(names, el.clientWidth);
    // Each legend row past the first makes the chart taller, not the plot smaller.
    if (rows > 1) { el.style.height = (320 + 24 * (rows - 1)) + "px"; }
    return {
      animation: false,
      legend: { type: "plain", top: 0, left: "center", itemGap: 10, data: names },
      grid: { top: 20 + 24 * rows, left: 64, right: 24, bottom: 48, containLabel: false },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return num(v) + (c.y.unit ? " " + c.y.unit : ""); } },
      xAxis: axis(c.x, true), yAxis: axis(c.y, false), series: series,
    };
  }

  // labelWidth measures the widest of texts as the browser draws them
  // (ECharts' containLabel measures with a canvas font that can differ
  // from the SVG's by a few pixels, which cut the first letter off).
  function labelWidth(texts) {
    var NS = "http://www.w3.org/2000/svg";
    var probe = document.createElementNS(NS, "svg");
    probe.style.position = "absolute"; probe.style.visibility = "hidden";
    document.body.appendChild(probe);
    var w = 0;
    texts.forEach(function (s) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("style", "font: 12px system-ui, sans-serif");
      t.textContent = s; probe.appendChild(t);
      w = Math.max(w, t.getComputedTextLength());
    });
    document.body.removeChild(probe);
    return w;
  }

  function barOption(c) {
    var s = c.series[0];
    var maxLabel = 150;
    var left = Math.ceil(Math.min(labelWidth(c.y.categories), maxLabel)) + 16;
    return {
      animation: false,
      grid: { top: 12, left: left, right: 56, bottom: 44, containLabel: false },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return num(v) + (c.x.unit ? " " + c.x.unit : ""); } },
      xAxis: axis(c.x, true),
      yAxis: { type: "category", data: c.y.categories, inverse: true, axisLabel: { width: maxLabel, overflow: "truncate" } },
      series: [{ type: "bar", name: s.name, data: s.data.map(function (d, i) { return { value: d, itemStyle: { color: (s.colours && s.colours[i]) || s.colour } }; }),
        label: { show: true, position: "right", formatter: function (p) { return num(p.value) + (c.x.unit === "%" ? " %" : ""); } } }],
    };
  }

  // tint is a colour mixed with white (share f of white), as an opaque
  // colour: a band drawn in it looks as a translucent band over the
  // page, but where two bands overlap the upper one covers the lower
  // instead of mixing the two commodities' colours into a third.
  function tint(hex, f) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) { return hex; }
    return "#" + [m[1], m[2], m[3]].map(function (h) {
      var v = Math.round(parseInt(h, 16) + (255 - parseInt(h, 16)) * f);
      return (v < 16 ? "0" : "") + v.toString(16);
    }).join("");
  }

  // sankeyOption: link values are in the chart's unit (c.y.unit: t for
  // flows, % for a refinery's deportment); with a unit other than t each
  // node's label also carries its value. Each band is its commodity's
  // colour (the server's palette, web/colour.go), lightened but opaque
  // (tint): overlapping bands never blend into another commodity's
  // colour; a hovered node or band shows its own bands in the full
  // colour and fades the rest. Labels have a white halo.
  //
  // Left to right, each node stands in the column after its furthest
  // source (ECharts' nodeAlign "left"): a buyer's or a loss's node stands
  // beside what feeds it, not in the last column, so few bands run past a
  // column (the copper sale's band once ran over three columns of labels
  // to the last). Once ECharts has laid the nodes out, sankeyFloor draws
  // no band thinner than SANKEY_MIN_BAND and placeSankeyLabels sets each
  // label beside its node where it covers no other node's band, wrapped
  // only at spaces (sankeyFit).
  function sankeyOption(c, el, flip) {
    var unit = (c.y && c.y.unit) || "t";
    var shares = unit !== "t";
    var NODE = SANKEY_NODE;
    var W = Math.max(el.clientWidth, 200);
    var depth = sankeyDepths(c);
    var cols = sankeyColumns(c);
    // A node's own label (n.label) replaces its name; with a unit other
    // than t, the label also gives the node's value (its true value: a
    // band drawn at the minimum width keeps its own).
    var labels = {};
    c.nodes.forEach(function (n) { if (n.label) { labels[n.name] = n.label; } });
    var text = function (name) {
      if (labels[name]) { return labels[name]; }
      return shares ? name + " " + num(nodeValue(c, name)) + " " + unit : name;
    };
    var texts = c.nodes.map(function (n) { return text(n.name); });
    // The right margin holds the last column's labels: as wide as the
    // longest on one line (measured as drawn), at most 40 % of the chart
    // and never narrower than its longest word; a longer label wraps at
    // its spaces.
    var lastTexts = c.nodes.filter(function (n) { return depth[n.name] === cols - 1; }).map(function (n) { return text(n.name); });
    var right = Math.ceil(Math.min(textWidth(lastTexts) + 12, W * 0.4));
    right = Math.max(right, Math.ceil(textWidth(words(lastTexts)) + 12));
    var step = cols > 1 ? (W - 8 - right - NODE) / (cols - 1) : right;
    var inner = Math.max(step - NODE - 5 - 8, 60);
    var label = { fontSize: 11, lineHeight: 13, position: "right",
      color: "#1d2939", textBorderColor: "#fff", textBorderWidth: 3 };
    // placed: each node's label as placeSankeyLabels wrapped it.
    var placed = {};
    label.formatter = function (p) { return placed[p.name] || text(p.name); };
    label.formatter.placed = placed;
    // Crowded columns: a label is centred on its node, so the gap
    // between two nodes of a column is at least the tallest label's
    // height (13 px a line; a label wraps at its spaces in its room), and
    // two labels of one column never meet, however thin their nodes.
    var lines = 1;
    c.nodes.forEach(function (n, i) {
      var room = depth[n.name] < cols - 1 ? inner : right - 8;
      lines = Math.max(lines, wrapWords(texts[i], room).length);
    });
    var gap = Math.max(shares ? 16 : 14, lines * 13 + 4);
    // The box is tall enough for its fullest column: each of its labels
    // (lines × 13 px) and the gaps between them. Named destinations
    // ("La/Ce carbonate product 1.89 %", once "lace_product") wrap on a
    // phone, and a fixed 240 px box cut the second lines at its edge.
    var per = {};
    c.nodes.forEach(function (n) { per[depth[n.name]] = (per[depth[n.name]] || 0) + 1; });
    var most = Math.max.apply(null, Object.keys(per).map(function (k) { return per[k]; }).concat([1]));
    // A label is centred on its node: the first and last nodes' labels
    // reach half their height beyond them, so the margins hold that.
    var edge = Math.max(8, Math.ceil(lines * 13 / 2) + 4);
    var need = most * lines * 13 + Math.max(most - 1, 0) * gap + 2 * edge;
    // A Sankey of more than two columns (the plan's flows) is at least
    // 0.55 × its width tall: its small flows' nodes, under the copper's
    // tens of thousands of tonnes, keep room for their labels.
    if (cols > 2) { need = Math.max(need, Math.round(W * 0.55)); }
    if (!flip && el.clientHeight < need) { el.style.height = need + "px"; }
    // Top to bottom (a phone, sankeyFlip): the nodes of a row 8 px
    // apart, the labels placed by sankeyFlip once ECharts has laid the
    // nodes out.
    if (flip) {
      right = 8; edge = 8; gap = 8;
      label.width = W - 16; label.overflow = "break";
      label.formatter = function (p) { return text(p.name); };
    }
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.dataType === "edge") { return p.data.source + " → " + p.data.target + ": " + num(p.data.trueValue) + " " + unit + (p.data.note ? " (" + p.data.note + ")" : ""); }
        return p.name;
      } },
      series: [{ type: "sankey", orient: flip ? "vertical" : "horizontal", nodeAlign: flip ? "justify" : "left",
        left: 8, right: right, top: edge, bottom: edge, nodeWidth: NODE, nodeGap: gap, draggable: false, layoutIterations: 32,
        emphasis: { focus: "adjacency" }, blur: { lineStyle: { opacity: 0.25 } }, label: label,
        data: c.nodes.map(function (n) { return { name: n.name, itemStyle: { color: n.colour || "#98a2b3" } }; }),
        links: c.links.map(function (l) {
          return { source: l.from, target: l.to, value: l.value, trueValue: l.value, note: l.note,
            lineStyle: { color: tint(l.colour, 0.45), opacity: 1 }, emphasis: { lineStyle: { color: l.colour, opacity: 1 } } };
        }) }],
    };
  }

  // SANKEY_MIN_BAND: no band of a Sankey is drawn thinner than 3 px (px).
  // Beside the copper's 66,054.5 t the magnet maker's 93.3 t was under a
  // pixel; a band under the minimum is drawn at it (its tooltip, the
  // table and the CSV give its true value), the others to scale.
  var SANKEY_MIN_BAND = 3;

  // sankeyFloor draws every band at least SANKEY_MIN_BAND thick: ECharts
  // draws value v as v × ky px (ky the same for every band), so a band
  // is given the display value max(v, SANKEY_MIN_BAND ÷ ky); raising the
  // small ones lowers ky a little, so it is measured again until every
  // band is thick enough (two or three rounds).
  function sankeyFloor(chart, opt) {
    var links = opt.series[0].links;
    if (links.some(function (l) { return l.value !== l.trueValue; })) {
      links.forEach(function (l) { l.value = l.trueValue; });
      chart.setOption({ series: [{ links: links }] });
    }
    for (var round = 0; round < 6; round++) {
      var g = chart.getModel().getSeriesByIndex(0).getGraph(), ky = Infinity, thin = false;
      g.edges.forEach(function (e) {
        var v = e.getValue(), dy = e.getLayout().dy;
        if (v > 0 && dy > 0) { ky = Math.min(ky, dy / v); }
        if (!(dy >= SANKEY_MIN_BAND - 1e-6)) { thin = true; }
      });
      if (!thin || !isFinite(ky)) { return; }
      var floor = SANKEY_MIN_BAND / ky * 1.0005;
      links.forEach(function (l) { l.value = Math.max(l.trueValue, floor); });
      chart.setOption({ series: [{ links: links }] });
    }
  }

  // measure: a canvas measures text at the Sankey's 11 px as ECharts
  // draws it.
  var measureCtx = null;
  function measure(t) {
    if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); measureCtx.font = "11px system-ui, sans-serif"; }
    return measureCtx.measureText(t).width;
  }
  function textWidth(texts) { return texts.reduce(function (w, t) { return Math.max(w, measure(t)); }, 0); }
  function words(texts) { return [].concat.apply([], texts.map(function (t) { return String(t).split(/\s+/); })); }

  // wrapWords wraps text at its spaces into lines no wider than room
  // (11 px, as measured): a word is never broken, a word wider than the
  // room takes a line of its own.
  function wrapWords(text, room) {
    var out = [], line = "";
    String(text).split(/\s+/).forEach(function (w) {
      if (!w) { return; }
      var next = line ? line + " " + w : w;
      if (line && measure(next) > room) { out.push(line); line = w; } else { line = next; }
    });
    if (line) { out.push(line); }
    return out.length ? out : [""];
  }

  // sankeyDepths is each node's column as ECharts' nodeAlign "left" puts
  // it: 0 for a node nothing flows into, else one more than its deepest
  // source.
  function sankeyDepths(c) {
    var into = {}, depth = {};
    c.links.forEach(function (l) { (into[l.to] = into[l.to] || []).push(l.from); });
    function d(n, seen) {
      if (depth[n] != null) { return depth[n]; }
      if (seen[n]) { return 0; }
      seen[n] = true;
      var m = 0;
      (into[n] || []).forEach(function (f) { m = Math.max(m, 1 + d(f, seen)); });
      seen[n] = false;
      return (depth[n] = m);
    }
    c.nodes.forEach(function (n) { d(n.name, {}); });
    return depth;
  }

  // placeSankeyLabels sets each node's label, left to right, where it
  // covers no band but its node's own and no other node or label: it
  // tries the label to the right of its node and to the left, centred on
  // it or moved up or down (still beside it), above and below it, each
  // wrapped at its spaces to the room before the next column, to the
  // room before the previous one, or on one line; a place costs the
  // points of it (every 3 px) over another node's band or another node,
  // the area over labels placed before it, much more outside the chart,
  // and a little for each line and each pixel away from the plain place
  // to the right. Two orders are tried (columns left to right and right
  // to left) and the cheaper kept. ECharts draws each label where it is
  // put (label.position, from its node's top left).
  function placeSankeyLabels(chart, c, el, opt) {
    var g = chart.getModel().getSeriesByIndex(0).getGraph();
    var W = el.clientWidth, H = el.clientHeight, LINE = 13, GAP = 5;
    var rectOf = function (z) { var r = z.getBoundingRect().clone(); r.applyTransform(z.getComputedTransform()); return r; };
    var nodes = g.nodes.map(function (n) { return { n: n, r: rectOf(n.getGraphicEl()) }; });
    var bands = g.edges.map(function (e) { return { el: e.getGraphicEl(), a: e.node1, b: e.node2, r: rectOf(e.getGraphicEl()) }; });
    var xs = [];
    nodes.forEach(function (o) { var x = Math.round(o.r.x); if (xs.indexOf(x) < 0) { xs.push(x); } });
    xs.sort(function (a, b) { return a - b; });
    var text = opt.series[0].label.formatter;
    Object.keys(text.placed).forEach(function (k) { delete text.placed[k]; });
    // covered counts the points of a line's box, 1 px larger all round
    // (as the browser draws a line it may reach a pixel further than
    // measured), every 2 px, that lie on another node's band or node.
    function covered(nd, l, t, r, b) {
      var hits = 0;
      for (var x = l - 1; x <= r + 1; x += 2) {
        for (var y = t - 1; y <= b + 1; y += 2) {
          for (var i = 0; i < bands.length; i++) {
            var bd = bands[i];
            if (bd.a === nd.n || bd.b === nd.n) { continue; }
            if (x < bd.r.x || x > bd.r.x + bd.r.width || y < bd.r.y || y > bd.r.y + bd.r.height) { continue; }
            if (bd.el.contain(x, y)) { hits++; }
          }
          for (var j = 0; j < nodes.length; j++) {
            if (nodes[j] !== nd && nodes[j].r.contain(x, y)) { hits++; }
          }
        }
      }
      return hits;
    }
    function cut(a, b) { return Math.max(0, Math.min(a.r, b.r) - Math.max(a.l, b.l)) * Math.max(0, Math.min(a.b, b.b) - Math.max(a.t, b.t)); }
    function candidates(nd) {
      var r = nd.r, x = Math.round(r.x), k = xs.indexOf(x);
      var next = k + 1 < xs.length ? xs[k + 1] : W - 4, prev = k > 0 ? xs[k - 1] + SANKEY_NODE : 4;
      var name = text({ name: nd.n.id }), full = measure(name);
      var roomR = next - (r.x + r.width) - GAP - 4, roomL = r.x - prev - GAP - 4;
      var wraps = [], seen = {};
      [full + 1, roomR, roomL].forEach(function (room) {
        var ls = wrapWords(name, room), key = ls.join("\n");
        if (!seen[key]) { seen[key] = true; wraps.push(ls); }
      });
      var out = [], cx = r.x + r.width / 2, cy = r.y + r.height / 2;
      wraps.forEach(function (ls) {
        var ws = ls.map(measure), w = Math.max.apply(null, ws), h = ls.length * LINE;
        var reach = Math.max(0, Math.floor((h / 2 + r.height / 2 - 3) / 4));
        for (var s = 0; s <= reach; s++) {
          [s, -s].forEach(function (d, i) {
            if (i && !s) { return; }
            out.push({ lines: ls, ws: ws, align: "left", l: r.x + r.width + GAP, t: cy - h / 2 + 4 * d, w: w, h: h, pref: 4 * s * 0.5 });
            out.push({ lines: ls, ws: ws, align: "right", l: r.x - GAP - w, t: cy - h / 2 + 4 * d, w: w, h: h, pref: 8 + 4 * s * 0.5 });
          });
        }
        out.push({ lines: ls, ws: ws, align: "center", l: cx - w / 2, t: r.y - 2 - h, w: w, h: h, pref: 16 });
        out.push({ lines: ls, ws: ws, align: "center", l: cx - w / 2, t: r.y + r.height + 2, w: w, h: h, pref: 16 });
      });
      return out;
    }
    function place(order) {
      var done = [], total = 0, chosen = [], clean = true;
      order.forEach(function (nd) {
        var best = null, bestCost = Infinity;
        candidates(nd).forEach(function (p) {
          var base = p.pref + 3 * p.lines.length, fault = 0;
          if (p.l < 2 || p.l + p.w > W - 2 || p.t < 2 || p.t + p.h > H - 2) { fault += 1e6; }
          if (base + fault >= bestCost) { return; }
          var boxes = p.lines.map(function (ln, i) {
            var l = p.align === "left" ? p.l : p.align === "right" ? p.l + p.w - p.ws[i] : p.l + (p.w - p.ws[i]) / 2;
            return { l: l, r: l + p.ws[i], t: p.t + i * LINE, b: p.t + (i + 1) * LINE };
          });
          boxes.forEach(function (bx) { done.forEach(function (o) { fault += 50 * cut(bx, o); }); });
          if (base + fault >= bestCost) { return; }
          boxes.forEach(function (bx) { fault += 1000 * covered(nd, bx.l, bx.t, bx.r, bx.b); });
          if (base + fault < bestCost) { best = { p: p, boxes: boxes, fault: fault }; bestCost = base + fault; }
        });
        total += bestCost;
        // Clean: over nothing it may not cover, inside the chart.
        if (best.fault > 0) { clean = false; }
        best.boxes.forEach(function (bx) { done.push(bx); });
        chosen.push([nd, best.p]);
      });
      return { total: total, chosen: chosen, clean: clean };
    }
    var byCol = nodes.slice().sort(function (a, b) { return a.r.x - b.r.x || a.r.y - b.r.y; });
    var best = null;
    [byCol, byCol.slice().reverse()].forEach(function (order) {
      var p = place(order);
      if (!best || p.total < best.total) { best = p; }
    });
    var labels = {};
    best.chosen.forEach(function (e) {
      var nd = e[0], p = e[1];
      opt.series[0].label.formatter.placed[nd.n.id] = p.lines.join("\n");
      var x = p.align === "left" ? p.l : p.align === "right" ? p.l + p.w : p.l + p.w / 2;
      labels[nd.n.id] = { position: [x - nd.r.x, p.t - nd.r.y], align: p.align, verticalAlign: "top", width: null, overflow: "none" };
    });
    var s = opt.series[0];
    s.data.forEach(function (d) { d.label = labels[d.name]; });
    chart.setOption({ series: [{ data: s.data }] });
    return best.clean;
  }

  // sankeyFit finishes a Sankey ECharts has laid out: its bands at least
  // SANKEY_MIN_BAND thick, then (left to right) its labels placed. Where
  // a label finds no place clear of other nodes' bands, nodes and labels,
  // the chart is drawn 15 % taller (its nodes further apart) and both
  // done again, three times at most.
  function sankeyFit(chart, c, el, opt, flip) {
    for (var round = 0; ; round++) {
      sankeyFloor(chart, opt);
      if (flip || placeSankeyLabels(chart, c, el, opt) || round >= 3) { return; }
      el.style.height = Math.round(el.clientHeight * 1.15) + "px";
      chart.resize();
    }
  }

  // sankeyFlip (fix15s): a Sankey whose box is narrower than its
  // columns need (sankeyLeast: the plan's nine columns need 852 px, a
  // 390 px phone gives about 350) is drawn top to bottom, sized to the
  // box's width: each column a row of nodes, each node's label below it,
  // horizontal, wrapped within the box. The labels of one row are stacked
  // one under another (in the order of their nodes, left to right), each
  // starting at its node's left edge as far as the box allows, so no two
  // labels meet. The rows are evenly spaced (ECharts' layout): the space
  // between two rows is the tallest row's labels plus 24 px of bands.
  // ECharts lays the nodes out, so it draws once, then the box is made
  // as tall as that needs and each label placed beside its node.
  function sankeyFlip(chart, c, el, opt) {
    var W = el.clientWidth, NODE = SANKEY_NODE, LINE = 13;
    var s = opt.series[0];
    var data = function () { return chart.getModel().getSeriesByIndex(0).getData(); };
    var fmt = s.label.formatter;
    var room = W - 16;
    var texts = c.nodes.map(function (n) { return fmt({ name: n.name, value: nodeValue(c, n.name) }); });
    var lines = texts.map(function (t) { return wrappedLines(t, room); });
    function rows() {
      var d = data(), by = {};
      c.nodes.forEach(function (n, i) {
        var l = d.getItemLayout(i);
        if (!l) { return; }
        var k = Math.round(l.y);
        (by[k] = by[k] || []).push({ i: i, l: l });
      });
      return Object.keys(by).map(Number).sort(function (a, b) { return a - b; }).map(function (k) {
        return by[k].sort(function (a, b) { return a.l.x - b.l.x; });
      });
    }
    var rs = rows();
    var block = function (row) { return row.reduce(function (h, e) { return h + lines[e.i] * LINE; }, 0) + 4; };
    var tallest = Math.max.apply(null, rs.map(block));
    var lastBlock = rs.length ? block(rs[rs.length - 1]) : 0;
    var top = 8, bottom = lastBlock + 8;
    var gapRows = tallest + 24;
    var height = top + Math.max(rs.length - 1, 0) * (gapRows + NODE) + NODE + bottom;
    el.style.height = height + "px";
    chart.resize();
    chart.setOption({ series: [{ top: top, bottom: bottom }] });
    rs = rows();
    var labels = c.nodes.map(function () { return {}; });
    rs.forEach(function (row) {
      var y = 0;
      row.forEach(function (e) {
        // The node's x is within the series (8 px in from the box's
        // left); the label's width is measured at 12 px and scaled to
        // 11 px, with 2 px to spare for the measure's rounding.
        var wide = Math.min(Math.ceil(labelWidth([texts[e.i]]) * 11 / 12) + 2, room);
        var x = Math.max(0, Math.min(e.l.x, room - wide));
        labels[e.i] = { position: [x - e.l.x, e.l.dy + 3 + y], align: "left", verticalAlign: "top", width: room };
        y += lines[e.i] * LINE;
      });
    });
    chart.setOption({ series: [{ data: s.data.map(function (d, i) { return Object.assign({}, d, { label: labels[i] }); }) }] });
  }

  // nodeValue is a node's value as ECharts takes it: the larger of what
  // flows in and what flows out.
  function nodeValue(c, name) {
    var inn = 0, out = 0;
    c.links.forEach(function (l) { if (l.to === name) { inn += l.value; } if (l.from === name) { out += l.value; } });
    return Math.max(inn, out);
  }

  // sankeyLeast is the narrowest a Sankey is drawn: 160 px a column; a
  // Sankey of more than two columns (the plan's flows) also gives each
  // inner column room for its widest label on one line beside its node
  // (a label sits to the right of its node, over the bands leaving it,
  // and must not reach the next column's labels), and the last column
  // room for its own labels. A refinery's deportment (two columns) keeps
  // 160 px a column, its product labels wrapped in the right margin.
  //
  // Labels wrap at their spaces (fix15x; never inside a word since
  // fix15 nu37b): each column needs 60 px of room for its labels, not its
  // widest label on one line (placeSankeyLabels sets a label whose word
  // is wider where it covers nothing else), and the last column's labels
  // wrap in the right margin (at most 40 % of the chart). So the plan's
  // many-column Sankey fits the content width of a desktop page, its
  // labels on a few lines; a box narrower than that (a phone) draws it
  // top to bottom (sankeyFlip).
  function sankeyLeast(c) {
    var cols = sankeyColumns(c);
    if (cols <= 2) { return 160 * cols; }
    var sources = {};
    c.links.forEach(function (l) { sources[l.from] = true; });
    var step = 60 + SANKEY_NODE + 5 + 8;
    var right = 60 + 12;
    return 8 + (cols - 1) * step + SANKEY_NODE + right + 8;
  }

  // wrappedLines is how many lines text takes wrapped at its words in
  // room px at the Sankey's 11 px (labelWidth measures at 12 px); a word
  // wider than the room takes lines of its own.
  function wrappedLines(text, room) {
    var words = String(text).split(/\s+/), lines = 0, line = "";
    room = Math.max(room, 1);
    words.forEach(function (w) {
      var next = line ? line + " " + w : w;
      if (line && labelWidth([next]) * 11 / 12 > room) {
        lines += Math.ceil(labelWidth([line]) * 11 / 12 / room);
        line = w;
      } else {
        line = next;
      }
    });
    if (line) { lines += Math.ceil(labelWidth([line]) * 11 / 12 / room); }
    return Math.max(lines, 1);
  }
  var SANKEY_NODE = 20;

  // sankeyColumns is how many columns a Sankey's nodes fall into: one
  // more than the longest chain of links (ECharts puts each node in the
  // column after its furthest source). Links form no cycle (a Sankey
  // cannot draw one), so the walk ends.
  function sankeyColumns(c) {
    var out = {}, depth = {};
    c.links.forEach(function (l) { (out[l.from] = out[l.from] || []).push(l.to); });
    function d(n, seen) {
      if (depth[n] != null) { return depth[n]; }
      if (seen[n]) { return 0; }
      seen[n] = true;
      var m = 0;
      (out[n] || []).forEach(function (t) { m = Math.max(m, 1 + d(t, seen)); });
      seen[n] = false;
      return (depth[n] = m);
    }
    var cols = 1;
    c.nodes.forEach(function (n) { cols = Math.max(cols, d(n.name, {}) + 1); });
    return cols;
  }

  var world = null;
  function withWorld(done) {
    if (world) { return done(); }
    fetch("/web/world.geo.json").then(function (r) { return r.json(); }).then(function (g) {
      world = g; echarts.registerMap("world", g); done();
    });
  }

  // worldBox is the world map's [west, south, east, north], read once
  // from its GeoJSON.
  var box = null;
  function worldBox() {
    if (box) { return box; }
    box = [180, 90, -180, -90];
    function walk(a) {
      if (typeof a[0] === "number") {
        box = [Math.min(box[0], a[0]), Math.min(box[1], a[1]), Math.max(box[2], a[0]), Math.max(box[3], a[1])];
        return;
      }
      a.forEach(walk);
    }
    world.features.forEach(function (f) { walk(f.geometry.coordinates); });
    return box;
  }

  // mapOption draws the choropleth at the world's own shape: the chart
  // is as tall as its width and the map's aspect make it (ECharts' geo
  // aspectScale 0.75), so that a phone shows the whole world, not its
  // middle cut at both sides.
  function mapOption(c, el) {
    var b = worldBox(), w = Math.max(el.clientWidth, 200);
    // The colour scale runs under the map (44 px), not over it.
    // At most 480 px of map (a wide desktop then centres it).
    // Its ends carry the unit ("0 %", the top share in %) and its name
    // and unit are written under it (the spec's y axis): a scale without
    // a unit does not say what the colours measure.
    var unit = (c.y && c.y.unit) || "%", scaleName = c.y && c.y.name ? c.y.name + " (" + unit + ")" : "";
    var below = scaleName ? 64 : 44;
    el.style.height = (Math.min(480, Math.round((w - 8) * (b[3] - b[1]) / ((b[2] - b[0]) * 0.75))) + 4 + below) + "px";
    return {
      animation: false,
      title: scaleName ? { text: scaleName, left: "center", bottom: 2, textStyle: { fontSize: 11, fontWeight: "normal", color: "#475467" } } : undefined,
      tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.title ? p.data.title : p.name; } },
      visualMap: { min: 0, max: c.max || 1, calculable: false, orient: "horizontal", left: "center", bottom: below - 40, itemHeight: Math.min(200, w * 0.5),
        text: [num(Math.round((c.max || 1) * 1000) / 10) + " " + unit, "0 " + unit], inRange: { color: ["#eef2f6", c.colour || "#0b504c"] },
        formatter: function (v) { return num(v * 100) + " " + unit; } },
      series: [{ type: "map", map: "world", roam: false, top: 4, bottom: below, left: 4, right: 4, nameProperty: "iso",
        itemStyle: { areaColor: "#f2f4f7", borderColor: "#cbd2d9", borderWidth: 0.5 }, emphasis: { label: { show: false } },
        data: c.regions.map(function (r) { return { name: r.iso, value: r.value, title: r.title }; }) }],
    };
  }

  var GEO_ROAM_LEAST = 640;

  // mapLabel is a site's name on the map without its parenthesis
  // ("(location approximate)", "(illustrative)"): the tooltip and the
  // table give it whole.
  function mapLabel(name) { return name.replace(/\s*\([^)]*\)\s*$/, ""); }

  // geoOption draws the corridor on the world map at its true shape: the
  // chart is as tall as its width and the bounds' aspect make it
  // (ECharts' geo aspectScale 0.75), never stretched to the box, and as
  // wide as its box — a phone's too (390 px: the whole corridor in about
  // 340 px, its labels placed by placeGeoLabels). Narrower than
  // GEO_ROAM_LEAST it does not pan or zoom: a finger dragging over it
  // scrolls the page.
  function geoOption(c, el, room) {
    var w = Math.max(el.clientWidth, 200);
    var seen = w;
    room = room || 0;
    var lanes = c.lanes || [];
    var names = lanes.map(function (k) { return k.name; }).concat(c.kinds.map(function (k) { return k.name; }));
    var lonSpan = c.bounds[1][0] - c.bounds[0][0], latSpan = c.bounds[0][1] - c.bounds[1][1];
    var legendH = 24 * legendRows(names, seen - 38) + 8;
    var mapH = Math.round((w - 8) * latSpan / (lonSpan * 0.75));
    el.style.height = (legendH + mapH + 8 + 2 * room) + "px";
    var byId = {};
    c.nodes.forEach(function (n) { byId[n.id] = n; });
    var maxT = Math.max.apply(null, c.links.map(function (l) { return l.value; }).concat([1]));
    // laneSeries: one series of lines per commodity, in its colour (the
    // legend's entry). A route that carried several commodities has one
    // line each, curved further one after another so that they lie side
    // by side; a shipment in transit is dashed, just beyond its
    // commodity's solid line.
    function laneSeries(k) {
      return { type: "lines", name: k.name, coordinateSystem: "geo", zlevel: 1, silent: false, itemStyle: { color: k.colour }, lineStyle: { color: k.colour },
        // A route crossing the antimeridian comes as two pieces split at
        // ±180° (routeSegments), drawn straight so that they meet the
        // map's edges; one line would run across the whole map.
        data: [].concat.apply([], c.links.filter(function (l) { return lanes.length === 0 || l.label === k.name; }).map(function (l) {
          var a = byId[l.from], b = byId[l.to];
          var pieces = l.segments || [[[a.lon, a.lat], [b.lon, b.lat]]];
          var transit = l.kind === "transit", bend = 0.15 + 0.08 * (l.lane || 0) + (transit ? 0.06 : 0);
          return pieces.map(function (p) {
            return { coords: p, title: a.name + " → " + b.name + ": " + (l.label ? l.label + ", " : "") + num(l.value) + " t" + (transit ? " in transit" : ""),
              lineStyle: { color: l.colour || k.colour, width: 1.5 + 7 * Math.sqrt(l.value / maxT), opacity: transit ? 0.8 : 0.6,
                type: transit ? "dashed" : "solid", curveness: pieces.length > 1 ? 0 : bend } };
          });
        })) };
    }
    return {
      animation: false,
      tooltip: { trigger: "item", confine: true, formatter: function (p) { return p.data && p.data.title ? p.data.title : p.name; } },
      legend: { top: 0, left: 4, width: seen - 28, data: names },
      geo: { map: "world", roam: w >= GEO_ROAM_LEAST, boundingCoords: c.bounds, top: legendH + room, bottom: 4 + room, left: 4, right: 4, nameProperty: "iso",
        itemStyle: { areaColor: "#f5f7fa", borderColor: "#cbd2d9", borderWidth: 0.5 }, emphasis: { disabled: true }, silent: true },
      series: (lanes.length ? lanes : [{ name: "flows", colour: "#98a2b3" }]).map(laneSeries).concat(c.kinds.map(function (k) {
        // Every site keeps its label: placeGeoLabels moves each label,
        // once the map is drawn, to where it overlaps no other label or
        // site and stays inside the chart (none is hidden).
        return { type: "scatter", coordinateSystem: "geo", name: k.name, zlevel: 2, symbol: k.symbol, symbolSize: 11, itemStyle: { color: k.colour },
          label: { show: true, formatter: "{b}", fontSize: 11, lineHeight: 13, padding: [2, 0], color: "#243b53" },
          labelLayout: { hideOverlap: false },
          data: c.nodes.filter(function (n) { return n.kind === k.id; }).map(function (n) {
            var f = (n.lon - c.bounds[0][0]) / lonSpan, east = f > 0.5;
            return { name: mapLabel(n.name), value: [n.lon, n.lat], title: n.name + " (" + k.name + ")",
              label: { position: east ? "left" : "right" } };
          }) };
      })),
    };
  }

  // lanePoints samples the map's lines as drawn, in pixels (each point
  // with its line's two ends): ECharts
  // draws a line of curveness k from p1 to p2 as a quadratic curve whose
  // control point is the midpoint moved k × the chord's length at a right
  // angle (its Line helper).
  function lanePoints(chart, opt) {
    var pts = [];
    opt.series.forEach(function (s) {
      if (s.type !== "lines") { return; }
      s.data.forEach(function (d) {
        var p1 = chart.convertToPixel({ geoIndex: 0 }, d.coords[0]), p2 = chart.convertToPixel({ geoIndex: 0 }, d.coords[1]);
        var k = d.lineStyle.curveness || 0;
        var cp = [(p1[0] + p2[0]) / 2 - (p1[1] - p2[1]) * k, (p1[1] + p2[1]) / 2 - (p2[0] - p1[0]) * k];
        // A point every 3 px or so along the curve.
        var n = Math.max(8, Math.ceil((Math.hypot(cp[0] - p1[0], cp[1] - p1[1]) + Math.hypot(p2[0] - cp[0], p2[1] - cp[1])) / 3));
        for (var i = 1; i < n; i++) {
          var t = i / n, u = 1 - t;
          pts.push([u * u * p1[0] + 2 * u * t * cp[0] + t * t * p2[0], u * u * p1[1] + 2 * u * t * cp[1] + t * t * p2[1], p1[0], p1[1], p2[0], p2[1]]);
        }
      });
    });
    return pts;
  }

  // placeGeoLabels lays out the map's site labels so that every site is
  // named by its own marker: each label (one line, measured as drawn)
  // takes the cheapest of its candidate places — right of its site,
  // left, above, below, the four corners, then right and left moved up
  // and down a line at a time (at most four) — where a place costs the
  // area it overlaps of labels placed before it and of sites' markers, a
  // little for each point of a lane it covers (much more beyond 12 px of
  // its marker, where its own lanes start, than within), and
  // a little more the further it is from the marker; a place outside the
  // map (below the legend) is never taken if another is. A label moved
  // more than a line from its marker (a crowded cluster: Houston's) is
  // joined to it by a thin leader line.
  function placeGeoLabels(chart, opt, el, legendH, reach) {
    var W = el.clientWidth, H = el.clientHeight, pad = 2, lh = GEO_LABEL_LINE, gap = 8;
    reach = reach || 4;
    var ctx = document.createElement("canvas").getContext("2d");
    ctx.font = "11px system-ui, sans-serif";
    var items = [];
    opt.series.forEach(function (s, si) {
      if (s.type !== "scatter") { return; }
      s.data.forEach(function (d, di) {
        var p = chart.convertToPixel({ geoIndex: 0 }, d.value);
        items.push({ si: si, di: di, d: d, x: p[0], y: p[1], w: Math.ceil(ctx.measureText(d.name).width) + 2 });
      });
    });
    var marks = items.map(function (it) { return { l: it.x - 6, r: it.x + 6, t: it.y - 6, b: it.y + 6, it: it }; });
    var lane = lanePoints(chart, opt);
    function dist(r, x, y) { return Math.hypot(Math.max(r.l - x, 0, x - r.r), Math.max(r.t - y, 0, y - r.b)); }
    function cut(a, b) { return Math.max(0, Math.min(a.r, b.r) - Math.max(a.l, b.l)) * Math.max(0, Math.min(a.b, b.b) - Math.max(a.t, b.t)); }
    // place lays the labels out greedily in one order; the orders tried
    // are west to east, east to west, north to south and south to north,
    // and the one whose places cost least in all is kept.
    function place(order) {
    var placed = [], leaders = [], labels = [], total = 0, clean = true;
    order.forEach(function (it) {
      var c = [[gap, -lh / 2], [-gap - it.w, -lh / 2], [-it.w / 2, -gap - lh], [-it.w / 2, gap],
        [gap - 2, -gap - lh + 2], [gap - 2, gap - 2], [-gap - it.w + 2, -gap - lh + 2], [-gap - it.w + 2, gap - 2]];
      var far = [0, 0, 0, 0, 1, 1, 1, 1];
      for (var k = 1; k <= reach; k++) {
        c.push([gap, -lh / 2 - k * lh], [gap, -lh / 2 + k * lh], [-gap - it.w, -lh / 2 - k * lh], [-gap - it.w, -lh / 2 + k * lh]);
        far.push(k + 1, k + 1, k + 1, k + 1);
      }
      var best = null, bestCost = Infinity, bestFar = 0;
      for (var i = 0; i < c.length; i++) {
        var r = { l: it.x + c[i][0], t: it.y + c[i][1] };
        r.r = r.l + it.w; r.b = r.t + lh;
        var cost = 40 * far[i] * far[i];
        if (r.l < pad || r.r > W - pad || r.t < legendH || r.b > H - pad) { cost += 1e6; }
        // Over another label or a marker costs more than over lanes: on a
        // phone the names must stay apart even where they cross lanes.
        placed.concat(marks).forEach(function (o) { cost += 2000 * cut(r, o); });
        // A label nearer another site's marker than its own reads as
        // that site's (Qila Abdullah's beside Karachi's port).
        var own = dist(r, it.x, it.y);
        items.forEach(function (o) { if (o !== it && dist(r, o.x, o.y) < own) { cost += 300; } });
        lane.forEach(function (p) {
          if (p[0] > r.l && p[0] < r.r && p[1] > r.t && p[1] < r.b) {
            // Only by its marker, where its own lanes start, may a lane
            // touch a label: further out, its own lanes cost as much as
            // one passing by (the USSM plant's label lay over the
            // Houston lanes, its own).
            cost += Math.hypot(p[0] - it.x, p[1] - it.y) < 12 ? 1 : 400;
          }
        });
        if (cost < bestCost) { best = r; bestCost = cost; bestFar = far[i]; }
      }
      total += bestCost;
      // Clean: inside the chart below the legend, over no label placed
      // before it and no other site's marker.
      if (best.l < pad || best.r > W - pad || best.t < legendH || best.b > H - pad ||
        placed.some(function (o) { return cut(best, o) > 0; }) || marks.some(function (m) { return m.it !== it && cut(best, m) > 0; })) { clean = false; }
      placed.push({ l: best.l - 1, r: best.r + 1, t: best.t, b: best.b });
      // ECharts places a label at [x, y] from its marker's top left.
      labels.push([it, { position: [best.l - (it.x - 5.5), best.t - (it.y - 5.5)], align: "left", verticalAlign: "top", overflow: "none" }]);
      if (bestFar > 2) {
        var ex = Math.max(best.l, Math.min(it.x, best.r)), ey = it.y < best.t ? best.t : best.b;
        leaders.push({ id: "leader:" + it.d.name, type: "line", silent: true, z: 100, zlevel: 2,
          shape: { x1: it.x, y1: it.y, x2: ex, y2: ey }, style: { stroke: "#7b8794", lineWidth: 1 } });
      }
    });
    return { total: total, labels: labels, leaders: leaders, clean: clean };
    }
    var best = null;
    [function (a, b) { return a.x - b.x || a.y - b.y; }, function (a, b) { return b.x - a.x || a.y - b.y; },
      function (a, b) { return a.y - b.y || a.x - b.x; }, function (a, b) { return b.y - a.y || a.x - b.x; }].forEach(function (by) {
      var p = place(items.slice().sort(by));
      if (!best || p.total < best.total) { best = p; }
    });
    best.labels.forEach(function (l) { l[0].d.label = l[1]; });
    chart.setOption({ series: opt.series, graphic: [{ id: "leaders", type: "group", children: best.leaders }] }, { replaceMerge: ["series", "graphic"] });
    return best.clean;
  }

  // GEO_LABEL_LINE is the height of a map label's line (px).
  var GEO_LABEL_LINE = 17;

  // fitGeo draws the corridor map and places its labels (placeGeoLabels).
  // Where they do not all fit clear of each other and of the markers (a
  // phone: nine names beside two clusters of sites on a map 340 px wide
  // and 155 px tall), the chart gains a band of one label line above the
  // map and one below it, and they are placed again, a label allowed a
  // line further from its marker (joined to it by a leader line), until
  // they fit or six lines were added each side. The map keeps its shape
  // and the box's width throughout.
  function fitGeo(chart, c, el) {
    var opt;
    for (var extra = 0; ; extra++) {
      opt = geoOption(c, el, extra * GEO_LABEL_LINE);
      opt.textStyle = { fontFamily: "system-ui, sans-serif" };
      chart.resize();
      chart.setOption(opt, true);
      if (placeGeoLabels(chart, opt, el, opt.geo.top - extra * GEO_LABEL_LINE, 4 + extra) || extra >= 6) { return opt; }
    }
  }

  // MIN_GRAPH_SCALE: a graph's labels (12 px) are never drawn under
  // 10 px.
  var MIN_GRAPH_SCALE = 10 / 12;

  // graph lays out the genealogy with dagre, left to right, and draws it
  // as SVG: boxes with the lot's name and figures, edges with their
  // quantity on dagre's reserved label positions, links to pages.
  function graph(el, c) {
    var NS = "http://www.w3.org/2000/svg";
    var probe = document.createElementNS(NS, "svg");
    probe.setAttribute("class", "graph");
    probe.style.position = "absolute"; probe.style.visibility = "hidden";
    document.body.appendChild(probe);
    function width(text, cls) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("class", cls); t.textContent = text; probe.appendChild(t);
      var w = t.getComputedTextLength(); probe.removeChild(t); return w;
    }
    // A box's second line (commodity · country · mass, a voyage's vessel
    // · route · date) is one line where the graph fits its box; on a
    // narrow screen (a phone, 390 px) each " · " part takes a line of
    // its own, so the boxes, and the graph, are narrower (subLines).
    var nodeW = {}, edgeW = {}, wrapW = {}, subLines = {};
    c.nodes.forEach(function (n) {
      var lw = width(n.label, "node-label");
      nodeW[n.id] = Math.max(120, Math.max(lw, width(n.sub || "", "node-sub")) + 20);
      subLines[n.id] = n.sub ? n.sub.split(" · ") : [];
      wrapW[n.id] = Math.max(100, Math.max.apply(null, [lw].concat(subLines[n.id].map(function (p) { return width(p, "node-sub"); }))) + 20);
    });
    // An edge's label (stream · mass) is one line, or where the graph
    // is too wide for its box one line a part, as a box's second line.
    var edgeParts = {}, edgeWrapW = {};
    c.links.forEach(function (l, i) {
      edgeW[i] = l.label ? width(l.label, "edge-label") + 8 : 0;
      edgeParts[i] = l.label ? l.label.split(" · ") : [];
      edgeWrapW[i] = l.label ? Math.max.apply(null, edgeParts[i].map(function (p) { return width(p, "edge-label"); })) + 8 : 0;
    });
    document.body.removeChild(probe);
    var wrap = false;
    function nodeSize(n) {
      if (!wrap) { return { width: nodeW[n.id], height: n.sub ? 44 : 30, lines: n.sub ? [n.sub] : [] }; }
      return { width: wrapW[n.id], height: 30 + 15 * subLines[n.id].length, lines: subLines[n.id] };
    }
    // parts: the graph's weakly connected components (a flowsheet's
    // separate circuits — REE, copper, antimony), each laid out on its
    // own, in the order of their first node.
    var partOf = {}, parts = [];
    function root(id) { while (partOf[id] !== id) { partOf[id] = partOf[partOf[id]]; id = partOf[id]; } return id; }
    c.nodes.forEach(function (n) { partOf[n.id] = n.id; });
    c.links.forEach(function (l) { if (partOf[l.from] != null && partOf[l.to] != null) { partOf[root(l.from)] = root(l.to); } });
    var index = {};
    c.nodes.forEach(function (n) {
      var r = root(n.id);
      if (index[r] == null) { index[r] = parts.length; parts.push({ nodes: [], links: [] }); }
      parts[index[r]].nodes.push(n);
    });
    c.links.forEach(function (l, i) { if (partOf[l.from] != null) { parts[index[root(l.from)]].links.push(i); } });
    // kindRanks gives each node of a part its rank when the graph's
    // kinds have layers of their own (c.layers, the genealogy's: lot,
    // container, voyage, run): ranks cycle through the kinds present in
    // the part, in that order, so that a kind never shares a rank with
    // another (mine lots, then containers, voyages, runs, then their
    // products on the lots' next layer) and every line runs forward —
    // inputs above the run, the run above its outputs — and a line that
    // skips layers passes beside the boxes between, never through one
    // (issue 15, uiQ2 item 2: a container beside a run, a voyage beside
    // a product, a packing line across other lots' lines). A node goes
    // as late as its successors allow (a mine lot fed straight into a
    // run sits just above the containers' layer, not at the top);
    // layers nothing uses are dropped. null (dagre's own ranks) where
    // the graph has no layers or a part a cycle.
    function kindRanks(part) {
      if (!c.layers || !c.layers.length) { return null; }
      var kinds = c.layers.filter(function (k) { return part.nodes.some(function (n) { return n.kind === k; }); });
      part.nodes.forEach(function (n) { if (kinds.indexOf(n.kind) < 0) { kinds.push(n.kind); } });
      var K = kinds.length, idx = {}, indeg = {}, succ = {}, pred = {};
      part.nodes.forEach(function (n) { idx[n.id] = kinds.indexOf(n.kind); indeg[n.id] = 0; succ[n.id] = []; pred[n.id] = []; });
      part.links.forEach(function (i) {
        var l = c.links[i];
        if (succ[l.from] && pred[l.to]) { succ[l.from].push(l.to); pred[l.to].push(l.from); indeg[l.to]++; }
      });
      var order = [], queue = part.nodes.filter(function (n) { return indeg[n.id] === 0; }).map(function (n) { return n.id; });
      while (queue.length) {
        var u = queue.shift(); order.push(u);
        succ[u].forEach(function (v) { if (--indeg[v] === 0) { queue.push(v); } });
      }
      if (order.length !== part.nodes.length) { return null; }
      var mod = function (a) { return ((a % K) + K) % K; };
      var r = {};
      order.forEach(function (v) {
        var lo = 0;
        pred[v].forEach(function (u) { lo = Math.max(lo, r[u] + 1); });
        r[v] = lo + mod(idx[v] - lo);
      });
      order.slice().reverse().forEach(function (u) {
        if (!succ[u].length) { return; }
        var hi = Infinity;
        succ[u].forEach(function (v) { hi = Math.min(hi, r[v] - 1); });
        var x = hi - mod(hi - idx[u]);
        if (x > r[u]) { r[u] = x; }
      });
      var used = [];
      Object.keys(r).forEach(function (k) { if (used.indexOf(r[k]) < 0) { used.push(r[k]); } });
      used.sort(function (a, b) { return a - b; });
      Object.keys(r).forEach(function (k) { r[k] = used.indexOf(r[k]); });
      return r;
    }
    // layout lays one part out in one direction: left to right (mine
    // lots → containers → voyage → refinery run → products), or top to
    // bottom when left to right would be wider than the box (so that a
    // desktop page shows the whole graph without scrolling sideways).
    // With ranks by kind (kindRanks) each line's minlen is its ends'
    // rank difference: every line is then as short as its minlen allows
    // only at those ranks, which network simplex, dagre's optimal
    // ranker, finds exactly.
    function layout(part, rankdir, ranker, align) {
      var ranks = kindRanks(part);
      var g = new dagre.graphlib.Graph({ multigraph: true });
      g.setGraph({ rankdir: rankdir, nodesep: 24, ranksep: rankdir === "LR" ? 70 : 48, edgesep: 14, marginx: 8, marginy: 8, ranker: ranks ? "network-simplex" : ranker || "network-simplex", align: align });
      part.nodes.forEach(function (n) { var z = nodeSize(n); g.setNode(n.id, { width: z.width, height: z.height, lines: z.lines, n: n }); });
      part.links.forEach(function (i) {
        var l = c.links[i];
        var lines = !l.label ? [] : wrap ? edgeParts[i] : [l.label];
        g.setEdge(l.from, l.to, { width: wrap ? edgeWrapW[i] : edgeW[i], height: lines.length ? 15 * lines.length + 1 : 0, labelpos: "c", l: l, lines: lines,
          minlen: ranks ? Math.max(1, ranks[l.to] - ranks[l.from]) : 1 }, "e" + i);
      });
      dagre.layout(g);
      return g;
    }
    var room = el.clientWidth || 1;
    // narrowest is a part laid out left to right if that fits the box,
    // else the narrowest of top to bottom under dagre's rankers and
    // alignments (a refinery's main circuit: 1,601 px with the default,
    // narrower with another).
    function narrowest(part) {
      var g = layout(part, "LR");
      if (g.graph().width > room) {
        ["network-simplex", "tight-tree", "longest-path"].forEach(function (ranker) {
          [undefined, "UL", "UR", "DL", "DR"].forEach(function (align) {
            var tb = layout(part, "TB", ranker, align);
            if (tb.graph().width < g.graph().width) { g = tb; }
          });
        });
      }
      return g;
    }
    // pack lays the parts out in rows, left to right, a row holding what
    // fits the box at its natural size (or the widest part): three
    // circuits side by side 1,410 px wide in a 1,130 px box (cut at its
    // edge) become rows that fit it.
    function pack() {
      var gs = parts.map(narrowest);
      var limit = Math.max(room, Math.max.apply(null, gs.map(function (g) { return g.graph().width; })));
      var x = 0, y = 0, rowH = 0, w = 0, placed = [];
      gs.forEach(function (g) {
        var gw = g.graph().width, gh = g.graph().height;
        if (x > 0 && x + gw > limit) { y += rowH; x = 0; rowH = 0; }
        placed.push({ g: g, x: x, y: y });
        x += gw; rowH = Math.max(rowH, gh); w = Math.max(w, x);
      });
      return { parts: placed, width: w, height: y + rowH, rankdir: gs[0].graph().rankdir };
    }
    var L = pack();
    // Still wider than the box at the smallest readable scale: the
    // boxes' second lines wrap, part by part.
    if (L.width * MIN_GRAPH_SCALE > room) {
      wrap = true;
      var w = pack();
      if (w.width < L.width) { L = w; } else { wrap = false; }
    }
    el.setAttribute("data-wrapped", wrap ? "yes" : "no");
    el.setAttribute("data-rankdir", L.rankdir);
    var svg = document.createElementNS(NS, "svg");
    var gw = L.width, gh = L.height;
    svg.setAttribute("viewBox", "0 0 " + gw + " " + gh);
    svg.setAttribute("class", "graph");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", c.title || "genealogy");
    // A graph is drawn at its natural size (11–12 px labels) where that
    // fits its box, else scaled down to the box's width — but never below
    // MIN_GRAPH_SCALE, where a 12 px label would be drawn under 10 px and
    // a phone (390 px) showed the genealogy's names too small to read:
    // wider than that, the graph scrolls sideways inside its own box
    // (overflow-x auto, nothing cut), the page itself does not, and a
    // note over it says so (data-scrolls).
    var fit = Math.max(Math.min(1, room / gw), MIN_GRAPH_SCALE);
    svg.style.width = (gw * fit) + "px"; svg.style.maxWidth = fit * gw <= room ? "100%" : "none";
    el.setAttribute("data-scale", fit.toFixed(3));
    var box = el.parentNode, old = box && box.querySelector(":scope > .graph-scrolls");
    if (old) { old.remove(); }
    if (gw * fit > room + 1) {
      el.setAttribute("data-scrolls", "");
      var note = document.createElement("p");
      note.className = "note graph-scrolls";
      note.textContent = "Wider than the screen (" + Math.round(gw * fit) + " px): scroll the drawing sideways to see all of it, or read the table below.";
      box.insertBefore(note, el);
    } else {
      el.removeAttribute("data-scrolls");
    }
    function el2(name, attrs, parent, text) {
      var e = document.createElementNS(NS, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text != null) { e.textContent = text; }
      parent.appendChild(e); return e;
    }
    var defs = el2("defs", {}, svg);
    var m = el2("marker", { id: el.id + "-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el2("path", { d: "M0 0L10 5L0 10z", fill: "#486581" }, m);
    L.parts.forEach(function (pt) { drawPart(pt.g, pt.x === 0 && pt.y === 0 ? svg : el2("g", { transform: "translate(" + pt.x + " " + pt.y + ")" }, svg)); });
    el.appendChild(svg);
    function drawPart(g, svg) {
    g.edges().forEach(function (e) {
      var lab = g.edge(e), l = lab.l, pts = lab.points;
      var d = "M" + pts.map(function (p) { return p.x.toFixed(1) + " " + p.y.toFixed(1); }).join("L");
      var a = el2("a", { href: l.href || "#" }, svg);
      var path = el2("path", { d: d, "class": "edge " + l.kind, fill: "none", stroke: l.colour || "#486581", "stroke-width": "1.6", "marker-end": "url(#" + el.id + "-arrow)" }, a);
      if (l.kind !== "transformation") { path.setAttribute("stroke-dasharray", "5 4"); }
      el2("title", {}, path, l.title || "");
      if (l.label) {
        el2("rect", { x: lab.x - lab.width / 2, y: lab.y - lab.height / 2, width: lab.width, height: lab.height, fill: "#fff", opacity: "0.9" }, a);
        var t = el2("text", { x: lab.x, y: lab.y - lab.height / 2 + 12, "text-anchor": "middle", "class": "edge-label" }, a);
        lab.lines.forEach(function (line, k) { el2("tspan", { x: lab.x, dy: k ? 15 : 0 }, t, line); });
      }
    });
    g.nodes().forEach(function (id) {
      var v = g.node(id), n = v.n;
      var a = el2("a", { href: n.href || "#" }, svg);
      el2("rect", { "class": "node " + n.kind, x: v.x - v.width / 2, y: v.y - v.height / 2, width: v.width, height: v.height, rx: 6,
        fill: n.kind === "lot" ? "#e6f4f1" : "#f2f4f7", stroke: n.colour || "#9fb3c8", "stroke-width": n.colour ? 2 : 1 }, a);
      el2("text", { "class": "node-label", x: v.x - v.width / 2 + 10, y: v.y - v.height / 2 + 19 }, a, n.label);
      v.lines.forEach(function (line, i) { el2("text", { "class": "node-sub", x: v.x - v.width / 2 + 10, y: v.y - v.height / 2 + 36 + 15 * i }, a, line); });
      el2("title", {}, a, n.id);
    });
    }
  }

  function draw(el) {
    var c = JSON.parse(el.getAttribute("data-chart"));
    if (c.kind === "graph") {
      graph(el, c);
    } else {
      // A map is drawn at its box's width, however narrow (a phone shows
      // the whole corridor, Pakistan and the US; it once kept 640 px and
      // scrolled in its box, the Pakistani sites off screen): its labels
      // are placed clear of each other by placeGeoLabels. A Sankey
      // narrower than its columns need (sankeyLeast) is drawn top to
      // bottom instead, sized to the box (sankeyFlip, fix15s): it never
      // scrolls. A refinery's deportment (feed → products, two columns)
      // fits a phone and a half-width card left to right, its product
      // labels wrapped in the right margin.
      var flip = c.kind === "sankey" && el.clientWidth < sankeyLeast(c);
      var opt;
      var sankeyHeight = el.style.height;
      opt = { line: lineOption, bar: barOption, sankey: sankeyOption, map: mapOption, geo: geoOption }[c.kind](c, el, flip);
      opt.textStyle = { fontFamily: "system-ui, sans-serif" };
      if (c.kind === "bar") { el.style.height = (c.y.categories.length * 28 + 64) + "px"; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(opt);
      if (c.kind === "geo") { opt = fitGeo(chart, c, el); }
      if (c.kind === "sankey") { sankeyFit(chart, c, el, opt, flip); }
      if (flip) { sankeyFlip(chart, c, el, opt); }
      window.addEventListener("resize", function () {
        if (c.kind === "line") { chart.setOption(lineOption(c, el), true); }
        // A Sankey is drawn again for its new width: top to bottom when
        // its columns no longer fit, left to right when they do.
        if (c.kind === "sankey") {
          el.style.height = sankeyHeight;
          flip = el.clientWidth < sankeyLeast(c);
          chart.resize();
          opt = sankeyOption(c, el, flip); opt.textStyle = { fontFamily: "system-ui, sans-serif" };
          chart.setOption(opt, true);
          chart.resize();
          sankeyFit(chart, c, el, opt, flip);
          if (flip) { sankeyFlip(chart, c, el, opt); }
          return;
        }
        // The map is drawn again at its box's new width, its legend
        // wrapped and its labels placed for it (a phone turned, a window
        // narrowed).
        if (c.kind === "geo") { opt = fitGeo(chart, c, el); return; }
        chart.resize();
      });
    }
    el.classList.add("drawn");
    var box = el.closest("figure");
    var details = box && box.querySelector("details.chart-data");
    if (details) { details.removeAttribute("open"); }
  }

  function start() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    var needWorld = els.some(function (el) { var k = JSON.parse(el.getAttribute("data-chart")).kind; return k === "map" || k === "geo"; });
    function all() { els.forEach(draw); }
    if (needWorld) { withWorld(all); } else { all(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
