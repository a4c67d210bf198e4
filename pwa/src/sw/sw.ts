/// <reference lib="webworker" />
/** The service worker: precaches the app shell under a versioned cache; /api/* always goes to the network. */

import { replayOutboxes, SYNC_TAG } from "./replay";
import { onMessage, onNotificationClick, onSync, showPush } from "./alarms";
import { SHELL_URL, cacheName, staleCaches, strategyFor } from "./strategy";

interface PrecacheManifest {
  version: string;
  urls: string[];
}

declare const self: ServiceWorkerGlobalScope & { __TEZUO_PRECACHE__?: PrecacheManifest };

// The build prepends the manifest (plugins/precache-plugin.ts); a dev server has none and caches nothing.
const manifest: PrecacheManifest = self.__TEZUO_PRECACHE__ ?? { version: "dev", urls: [] };
const CACHE = cacheName(manifest.version);
const PRECACHED = new Set(manifest.urls);
// On a weak signal (a tank, a rig) a page load should not hang: after this the cached shell is used.
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload` skips the HTTP cache so the shell is exactly the files of this build.
      await cache.addAll(manifest.urls.map((url) => new Request(url, { cache: "reload" })));
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const old = staleCaches(await caches.keys(), CACHE);
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  // Sent by the page when the user taps "update" on the new-version toast.
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
  else onMessage(event.data as Parameters<typeof onMessage>[0], (p) => event.waitUntil(p));
});

// Background Sync (Chromium): the network is back. An open page syncs itself (and settles the
// results); with no page open, the worker sends the outbox so the server has it now.
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}
self.addEventListener("sync" as keyof ServiceWorkerGlobalScopeEventMap, (event) => {
  const sync = event as unknown as SyncEvent;
  if (sync.tag !== SYNC_TAG) return;
  sync.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: "window" });
      for (const page of pages) page.postMessage({ type: SYNC_TAG });
      if (!pages.length) {
        await replayOutboxes(indexedDB, (body) =>
          fetch("/api/sync/push", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body }),
        );
      }
    })(),
  );
});
// Alarms (src/sw/alarms.ts): a push shows the alarm; 确认 on the notification acknowledges it,
// from the lock screen too; made offline, it waits in the outbox for the next sync. The pre-start
// e-permit (type "permit") is shown by the same handler; a tap opens its `url`, the e-permit card.
self.addEventListener("push", (event) => event.waitUntil(showPush(event.data)));
self.addEventListener("notificationclick", onNotificationClick);
self.addEventListener("sync", (event) => onSync(event as Parameters<typeof onSync>[0]));

self.addEventListener("fetch", (event) => {
  const strategy = strategyFor(event.request, self.location.origin, PRECACHED);
  if (strategy === "navigate") event.respondWith(navigate(event.request));
  else if (strategy === "precached") event.respondWith(cacheFirst(event.request));
});

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

async function navigate(request: Request): Promise<Response> {
  const network = fetch(request);
  network.catch(() => undefined); // when the shell wins the race, a later network failure is expected
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), NAVIGATION_TIMEOUT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first !== "timeout" && first.ok) return first;
    const shell = await caches.match(SHELL_URL, { cacheName: CACHE });
    if (shell) return shell;
    return first === "timeout" ? await network : first;
  } catch {
    const shell = await caches.match(SHELL_URL, { cacheName: CACHE });
    return shell ?? Response.error();
  }
}
