/* Service worker: keeps the agendas, their PDFs and the check-in page readable with no network.
   Served at /sw.js (scope "/"). Pages listed in KEEP are fetched from the network first and
   their last good copy kept; static assets are served from the cache and refreshed behind. Nothing else is
   touched. The pages' own script (offline.js) deletes the kept pages at log-out. */
"use strict";

const PAGES = "mm-pages-v1";
const ASSETS = "mm-assets-v1";
const KEEP = [
  /^\/company\/events\/[^/]+\/agenda(\.pdf)?$/,
  /^\/interpreter\/events\/[^/]+\/agenda(\.pdf)?$/,
  /^\/floor\/(events\/[^/]+\/check-in)?$/,
  // A company's meetings and their outcome forms, filled in offline (outcome.js).
  /^\/deals\/events\/[^/]+\/meetings$/,
  /^\/deals\/meetings\/\d+\/outcome$/,
];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n !== PAGES && n !== ASSETS).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await cache.put(request, response.clone());
    } else if (response.status >= 500) {
      // The venue's network reaches a proxy but not the app: the kept copy is better.
      return (await cache.match(request)) || response;
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) {
      return kept;
    }
    throw error;
  }
}

async function staleWhileRevalidate(event, request) {
  // Assets: the kept copy at once (offline too), refreshed in the background for next time.
  const cache = await caches.open(ASSETS);
  const kept = await cache.match(request);
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => undefined));
    return kept;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(event, request));
  } else if (KEEP.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  }
});
