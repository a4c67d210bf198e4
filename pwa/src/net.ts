/** Are we online? The browser's opinion, corrected by whether the server actually answered. */

import { createStore, useStore } from "./store";

export const browserOnline = createStore(typeof navigator === "undefined" ? true : navigator.onLine);
export const serverReachable = createStore(true);

export function watchNetwork(onBackOnline: () => void): void {
  window.addEventListener("online", () => {
    browserOnline.set(true);
    onBackOnline();
  });
  window.addEventListener("offline", () => browserOnline.set(false));
}

export function useOffline(): boolean {
  const online = useStore(browserOnline);
  const reachable = useStore(serverReachable);
  return !online || !reachable;
}
