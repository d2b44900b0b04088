// Live figures of the provisional budget. Mirrors aap/budget.py `summarize`: amounts are summed
// in cents (integers) so the figures match the server's Decimal computation to the cent.
(function () {
  "use strict";
  var form = document.getElementById("budget-form");
  if (!form) { return; }
  var CHARGES = ["60", "61", "62", "63", "64", "65", "66", "67", "68"];
  var PRODUITS = ["70", "73", "74_departement", "74_fse", "74_ftj", "74_etat", "74_collectivites", "74_autres",
    "75", "76", "77", "78", "fonds_propres"];
  var places = parseInt(form.dataset.places || "0", 10);
  var beneficiaires = parseInt(form.dataset.beneficiaires || "0", 10);
  var bassinMinier = form.dataset.bassinMinier === "1";
  var expected = parseInt(form.dataset.partAttendue || "40", 10);

  function cents(code) {
    var input = form.querySelector('[data-compte="' + code + '"]');
    if (!input) { return 0; }
    var text = input.value.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (!/^\d*(\.\d{0,2})?$/.test(text) || text === "" || text === ".") { return 0; }
    var parts = text.split(".");
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function sum(codes) { return codes.reduce(function (total, code) { return total + cents(code); }, 0); }
  function show(name, text) {
    var node = form.querySelector('[data-budget="' + name + '"]');
    if (node) { node.textContent = text; }
  }
  // "1 234,56 €" with non-breaking spaces, exactly as portal/core/formats.format_euros.
  function money(cents) {
    var sign = cents < 0 ? "-" : "";
    var abs = Math.abs(cents);
    var units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return sign + units + "," + String(abs % 100).padStart(2, "0") + "\u00a0€";
  }
  function percent(part, whole) {
    // Rounded half up to one decimal, as on the server.
    return whole ? (Math.round(part * 1000 / whole) / 10).toFixed(1).replace(".", ",") : null;
  }
  function update() {
    var charges = sum(CHARGES);
    var produits = sum(PRODUITS);
    var gap = produits - charges;
    var departement = cents("74_departement");
    var share = percent(departement, charges);
    show("total_charges", money(charges));
    show("total_produits", money(produits));
    show("desequilibre", money(gap));
    show("part_departement", share === null ? "–" : share + " %");
    show("cout_par_place", places && charges ? money(Math.round(charges / places)) : "–");
    show("cout_par_beneficiaire", beneficiaires && charges ? money(Math.round(charges / beneficiaires)) : "–");
    show("contributions", money(cents("86")) + " / " + money(cents("87")));
    var alerts = [];
    if (gap > 0) { alerts.push("Les ressources dépassent les charges de " + money(gap) + "."); }
    if (gap < 0) { alerts.push("Il manque " + money(-gap) + " de ressources pour équilibrer le budget."); }
    if (cents("86") !== cents("87")) {
      alerts.push("Les contributions volontaires en nature (comptes 86 et 87) doivent être égales.");
    }
    if (cents("74_ftj") && !bassinMinier) {
      alerts.push("Le FTJ ne finance que les actions du bassin minier (Artois, Lens-Liévin, Hénin-Carvin).");
    }
    if (cents("74_fse") && bassinMinier) {
      alerts.push("Dans le bassin minier, la contrepartie européenne relève du FTJ et non du FSE+.");
    }
    if ((cents("74_fse") + cents("74_ftj")) && share !== null && Math.round(departement * 1000 / charges) !== expected * 10) {
      alerts.push("Action cofinancée par le " + (bassinMinier ? "FTJ" : "FSE+") + " : la part du Département attendue est de " +
        expected + " % du financement total (" + money(Math.round(charges * expected / 100)) + "), elle est de " + share + " %.");
    }
    var box = form.querySelector('[data-budget="alerts"]');
    box.replaceChildren.apply(box, alerts.map(function (text) {
      var p = document.createElement("p");
      p.className = "alert alert-warning py-1 mb-1";
      p.textContent = text;
      return p;
    }));
  }
  form.addEventListener("input", update);
  update();
})();
