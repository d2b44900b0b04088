// Monthly chart of the indicators page: file active at each month end (line), entries and exits
// of the month (bars). Reads the JSON block written by json_script; draws an SVG with presentation
// attributes only (the CSP forbids inline styles). The page carries the same figures in a table.
(function () {
  "use strict";
  var source = document.getElementById("serie-mensuelle");
  var zone = document.getElementById("graphique-mensuel");
  if (!source || !zone) { return; }
  var serie = JSON.parse(source.textContent);
  if (!serie.length) { return; }

  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { file_active: "#00406a", entrees: "#2e8540", sorties: "#b35900", grid: "#d0d7de", text: "#3a3a3a" };
  var MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
  var width = 960, height = 300, left = 48, right = 16, top = 36, bottom = 40;
  var plotW = width - left - right, plotH = height - top - bottom;

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  // Round steps (1, 2, 5 × 10^n) so that the axis reads 0, 10, 20, 30…
  function niceStep(value) {
    var raw = Math.max(1, value / 4);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i] * power >= raw) { return steps[i] * power; }
    }
    return 10 * power;
  }

  var highest = Math.max.apply(null, serie.map(function (m) {
    return Math.max(m.file_active, m.entrees, m.sorties);
  }));
  var step = niceStep(highest);
  var ticks = Math.max(1, Math.ceil(highest / step));
  var max = step * ticks;
  var y = function (value) { return top + plotH - (value / max) * plotH; };
  var slot = plotW / serie.length;
  var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", focusable: "false" });

  for (var t = 0; t <= ticks; t += 1) {
    var value = step * t, ty = y(value);
    svg.appendChild(el("line", { x1: left, x2: width - right, y1: ty, y2: ty, stroke: COLOURS.grid, "stroke-width": 1 }));
    svg.appendChild(el("text", { x: left - 6, y: ty + 4, "text-anchor": "end", "font-size": 12, fill: COLOURS.text },
      String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f")));
  }
  var barW = Math.max(2, Math.min(18, slot / 3));
  var points = [];
  serie.forEach(function (m, i) {
    var cx = left + slot * i + slot / 2;
    svg.appendChild(el("rect", { x: cx - barW, y: y(m.entrees), width: barW, height: top + plotH - y(m.entrees), fill: COLOURS.entrees }));
    svg.appendChild(el("rect", { x: cx, y: y(m.sorties), width: barW, height: top + plotH - y(m.sorties), fill: COLOURS.sorties }));
    points.push(cx + "," + y(m.file_active));
    var parts = m.mois.split("-");
    var every = Math.ceil(serie.length / 12);
    if (i % every === 0) {
      svg.appendChild(el("text", { x: cx, y: height - bottom + 18, "text-anchor": "middle", "font-size": 12, fill: COLOURS.text },
        MONTHS[parseInt(parts[1], 10) - 1] + " " + parts[0].slice(2)));
    }
  });
  svg.appendChild(el("polyline", { points: points.join(" "), fill: "none", stroke: COLOURS.file_active, "stroke-width": 3 }));
  points.forEach(function (point) {
    var xy = point.split(",");
    svg.appendChild(el("circle", { cx: xy[0], cy: xy[1], r: 4, fill: COLOURS.file_active }));
  });

  var legend = [["file_active", "File active en fin de mois"], ["entrees", "Entrées du mois"], ["sorties", "Sorties du mois"]];
  var lx = left;
  legend.forEach(function (item) {
    svg.appendChild(el("rect", { x: lx, y: 10, width: 14, height: 14, fill: COLOURS[item[0]] }));
    svg.appendChild(el("text", { x: lx + 20, y: 22, "font-size": 13, fill: COLOURS.text }, item[1]));
    lx += 40 + item[1].length * 7;
  });
  zone.appendChild(svg);
})();
