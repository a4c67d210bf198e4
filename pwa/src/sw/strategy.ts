/** How the service worker answers each request; pure so it can be unit-tested without a browser. */

export const CACHE_PREFIX = "tezuo-shell-";
export const SHELL_URL = "/index.html";

export type Strategy =
  | "passthrough" // not ours to answer: the browser goes to the network as if there were no worker
  | "navigate" // a page load: network first, the cached shell when offline
  | "precached"; // a file of the shell: cache first

export interface RequestLike {
  method: string;
  mode: string;
  url: string;
}

export function isApi(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

export function strategyFor(request: RequestLike, origin: string, precached: ReadonlySet<string>): Strategy {
  if (request.method !== "GET") return "passthrough";
  const url = new URL(request.url);
  if (url.origin !== origin) return "passthrough";
  // API answers are personal and change: never cached, not even as an offline fallback.
  if (isApi(url.pathname)) return "passthrough";
  if (request.mode === "navigate") return "navigate";
  return precached.has(url.pathname) ? "precached" : "passthrough";
}

export function cacheName(version: string): string {
  return CACHE_PREFIX + version;
}

/** Caches of older shells, to delete on activate; other caches (later features) are left alone. */
export function staleCaches(names: readonly string[], current: string): string[] {
  return names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== current);
}
