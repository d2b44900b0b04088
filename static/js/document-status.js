// Reload the page when a pending document changes state (en attente → prêt / échec).
(function () {
  "use strict";
  var pending = document.querySelectorAll("[data-document-status-url]");
  if (!pending.length) { return; }
  var tries = 0;
  function poll() {
    tries += 1;
    var checks = Array.prototype.map.call(pending, function (element) {
      return fetch(element.dataset.documentStatusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { return data.status !== element.dataset.documentStatus; })
        .catch(function () { return false; });
    });
    Promise.all(checks).then(function (changed) {
      if (changed.indexOf(true) !== -1) { window.location.reload(); }
      else if (tries < 60) { window.setTimeout(poll, 2000); }
    });
  }
  window.setTimeout(poll, 1500);
})();
