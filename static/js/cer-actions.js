// "Ajouter une action" on the CER form: adds a blank action row in place (a copy of the formset's
// empty form) and counts it in the management form. Without JavaScript the same button posts the
// form, and the server shows it again with one more row and everything typed kept.
(function () {
  "use strict";
  var button = document.getElementById("cer-ajouter-action");
  var list = document.getElementById("cer-actions");
  var model = document.getElementById("cer-action-vide");
  var total = document.querySelector("input[name='actions-TOTAL_FORMS']");
  if (!button || !list || !model || !total || !("content" in model)) { return; }
  var MAX_ACTIONS = 50;  // as many as the server reads (accompagnement/views/cer.py)

  button.addEventListener("click", function (event) {
    var index = parseInt(total.value, 10) || 0;
    if (index >= MAX_ACTIONS) { return; }  // let the server say so
    event.preventDefault();
    var html = model.innerHTML.replace(/__prefix__/g, String(index)).replace(/__numero__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input, textarea, select");
    if (first) { first.focus(); }
  });
})();
