// Drafts save as the user types: a pause after a change sends the form in the background. The
// server answers 200 when it saved, 422 when the input is not valid yet (nothing is saved, the
// input stays in the page; the "Enregistrer" button shows the errors next to the fields).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;
  function say(text) { if (status) { status.textContent = text; } }
  function save() {
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Autosave": "1" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) { say("Brouillon enregistré à " + data.saved_at + "."); });
      }
      say(response.status === 422
        ? "Saisie non enregistrée : un champ n'est pas valide (cliquez sur Enregistrer pour le voir)."
        : "Enregistrement automatique impossible : cliquez sur Enregistrer.");
    }).catch(function () { say("Enregistrement automatique impossible : cliquez sur Enregistrer."); });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    say("Modifications en cours…");
    timer = window.setTimeout(save, 1500);
  });
})();
