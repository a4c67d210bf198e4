/** Registers /sw.js and offers the "new version" toast when an updated worker is waiting. */

import { createStore } from "./store";

/** Set when an update is waiting: calling it activates the new worker and reloads once. */
export const updateStore = createStore<(() => void) | null>(null);

export function registerServiceWorker(url = "/sw.js"): void {
  if (!("serviceWorker" in navigator)) return;
  const sw = navigator.serviceWorker;
  let userAskedToUpdate = false;
  // The first install also changes the controller (clients.claim); only a requested update reloads.
  sw.addEventListener("controllerchange", () => {
    if (userAskedToUpdate) location.reload();
  });

  const offer = (reg: ServiceWorkerRegistration): void => {
    const waiting = reg.waiting;
    if (!waiting || !sw.controller) return; // nothing waiting, or first install: nothing to replace
    updateStore.set(() => {
      userAskedToUpdate = true;
      updateStore.set(null);
      waiting.postMessage({ type: "SKIP_WAITING" });
    });
  };

  const start = async (): Promise<void> => {
    const reg = await sw.register(url);
    offer(reg);
    reg.addEventListener("updatefound", () => {
      const installing = reg.installing;
      installing?.addEventListener("statechange", () => {
        if (installing.state === "installed") offer(reg);
      });
    });
    // A phone app stays open for days: look for a new version whenever it comes back to the front.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") reg.update().catch(() => undefined);
    });
  };

  const run = () => void start().catch((err: unknown) => console.warn("service worker registration failed", err));
  if (document.readyState === "complete") run();
  else window.addEventListener("load", run, { once: true });
}
