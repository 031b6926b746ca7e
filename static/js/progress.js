// Live generation progress: polls the version's progress.json and updates the bar and the
// message in place; reloads the page once the optimiser is done. Without JavaScript the page
// refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section || !section.dataset.url || !window.fetch) { return; }
  var bar = section.querySelector("progress");
  var message = document.getElementById("progress-message");

  function poll() {
    fetch(section.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (data.status !== "queued" && data.status !== "generating") {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.value = data.progress;
          bar.textContent = Math.round(data.progress * 100) + "%";
        }
        if (message && data.message) { message.textContent = data.message; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
