/* Installable web app and offline reading: registers the service worker (/sw.js); on pages
   meant for the venue (those with [data-offline-stamp]) keeps the page and its PDF for
   reading with no network, says when it is offline, and reloads when the network returns.
   At log-out the kept pages are deleted: the next person on this phone sees none of them. */
(function () {
  "use strict";
  var PAGES = "mm-pages-v1";
  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    return;
  }
  if (!document.body.dataset.signedIn) {
    caches.delete(PAGES);
  }
  var registered = navigator.serviceWorker.register("/sw.js").catch(function () { return null; });

  var stamp = document.querySelector("[data-offline-stamp]");
  if (!stamp) {
    return;
  }
  var note = document.querySelector("[data-offline-note]");
  function showState() {
    if (note) {
      note.hidden = navigator.onLine;
    }
  }
  showState();
  window.addEventListener("offline", showState);
  window.addEventListener("online", function () {
    showState();
    // Pages with a queue of entries reload themselves once the queue is sent.
    if (!document.querySelector("[data-offline-queue]")) {
      window.location.reload();
    }
  });

  function keep(url, again) {
    // PDF links carry the agenda's version in their address: a kept one is current.
    return caches.open(PAGES).then(function (cache) {
      return cache.match(url).then(function (hit) {
        return hit && !again ? hit : cache.add(url);
      });
    });
  }
  if (navigator.onLine) {
    registered.then(function () {
      // The first visit is not yet under the service worker: keep this page by hand.
      var work = [];
      if (!navigator.serviceWorker.controller) {
        work.push(keep(window.location.href, true));
      }
      document.querySelectorAll("a[data-offline-keep]").forEach(function (link) {
        work.push(keep(link.href, false));
      });
      return Promise.all(work);
    }).catch(function () { return null; });
  }
})();
