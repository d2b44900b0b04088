// Charts of the funding dashboard (Chart.js, vendored in static/vendor/chartjs-4.6.2). Each
// <canvas data-graphique="…" data-source="id"> reads its figures from the json_script block `id`
// (no inline script: the CSP forbids it). The table beside each chart carries the same figures:
// it is the chart's text alternative.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var COLOURS = ["#00406a", "#4a88c7", "#2e8540", "#b35900"];
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var eurosCentimes = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = "#3a3a3a";
  window.Chart.defaults.animation = false;

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function tooltip() {
    return { callbacks: { label: function (item) { return item.dataset.label + " : " + eurosCentimes.format(item.raw); } } };
  }
  function moneyAxis() {
    return { beginAtZero: true, ticks: { callback: function (value) { return euros.format(value); } } };
  }

  function bars(canvas, data, horizontal) {
    var count = data.libelles.length;
    var valueAxis = horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = moneyAxis();
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.libelles,
        datasets: data.series.map(function (serie, index) {
          return { label: serie.nom, data: serie.valeurs, backgroundColor: COLOURS[index % COLOURS.length] };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        aspectRatio: horizontal ? Math.max(1.1, 3.2 - count * 0.22) : 2.6,
        plugins: { legend: { position: "top" }, tooltip: tooltip() },
        scales: scales
      }
    });
  }

  function timeline(canvas, data) {
    return new window.Chart(canvas, {
      data: {
        labels: data.libelles,
        datasets: [
          { type: "bar", label: "Versé dans le mois", data: data.montants, backgroundColor: COLOURS[2], order: 2 },
          { type: "line", label: "Cumul depuis le 1er janvier", data: data.cumul, borderColor: COLOURS[0],
            backgroundColor: COLOURS[0], borderWidth: 3, pointRadius: 3, order: 1 }
        ]
      },
      options: {
        responsive: true,
        aspectRatio: 3,
        plugins: { legend: { position: "top" }, tooltip: tooltip() },
        scales: { y: moneyAxis() }
      }
    });
  }

  var canvases = document.querySelectorAll("canvas[data-graphique]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var data = read(canvas.getAttribute("data-source"));
    if (!data) { return; }
    var kind = canvas.getAttribute("data-graphique");
    if (kind === "chronologie") { timeline(canvas, data); }
    else if (data.libelles.length) { bars(canvas, data, kind === "barres-horizontales"); }
  });
})();
