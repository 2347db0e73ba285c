// IronLog's service worker: the app shell and its assets come from the cache, so the app opens
// with no connection. The API is never cached here: the app keeps its own data in IndexedDB.
/*BUILD*/
const CACHE = `ironlog-${BUILD}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/") {
    // The shell: the network when it answers (a new build shows at once), else the cache.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put("/", copy));
          }
          return response;
        })
        .catch(() => caches.match("/").then((cached) => cached || Response.error())),
    );
  } else if (url.pathname.startsWith("/static/")) {
    // Versioned assets never change: the cache first.
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});
