// Zone screen: reload the screen's content every N seconds (data-refresh-seconds), keeping the
// last content when the network is down. No inline script: the CSP allows 'self' only.
(function () {
  "use strict";
  var screen = document.getElementById("zone-screen");
  if (!screen) {
    return;
  }
  var seconds = parseInt(screen.getAttribute("data-refresh-seconds"), 10) || 30;

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("zone-screen");
        if (fresh) {
          screen.innerHTML = fresh.innerHTML;
          screen.removeAttribute("data-stale");
        }
      })
      .catch(function () {
        screen.setAttribute("data-stale", "true");
      });
  }

  window.setInterval(refresh, seconds * 1000);
})();
