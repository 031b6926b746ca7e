// Live parts of a page: every element with an id and data-refresh-seconds (the zone screen,
// the floor's live counts) is reloaded from the same address every N seconds, keeping the last
// content (marked data-stale) when the network is down. No inline script: the CSP allows
// 'self' only.
(function () {
  "use strict";

  function keepFresh(element) {
    var seconds = parseInt(element.getAttribute("data-refresh-seconds"), 10) || 30;

    function refresh() {
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(element.id);
          if (fresh) {
            element.innerHTML = fresh.innerHTML;
            element.removeAttribute("data-stale");
          }
        })
        .catch(function () {
          element.setAttribute("data-stale", "true");
        });
    }

    window.setInterval(refresh, seconds * 1000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[id][data-refresh-seconds]"), keepFresh);
})();
