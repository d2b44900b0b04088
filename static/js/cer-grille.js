// Live grid items of the CER form: the server computes them (portal/core/cer_grid.py), this only
// sends what is typed and shows the returned fragment. Without JavaScript the form works the same:
// the items are computed when the page is displayed.
(function () {
  "use strict";
  var form = document.getElementById("cer-form");
  var target = document.getElementById("cer-grille");
  if (!form || !target || !window.fetch || !window.FormData) { return; }
  var url = form.dataset.grilleUrl;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var sequence = 0;

  function refresh() {
    sequence += 1;
    var mine = sequence;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" }
    })
      // A redirect means the session expired (the login page): keep the last grid.
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        // Only the answer to the latest keystroke is shown; a failed call keeps the last grid.
        if (html !== null && mine === sequence) { target.innerHTML = html; }
      })
      .catch(function () { /* offline or session expired: the grid will be computed on submit */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
