/** The service worker's precache list: every built file's URL plus a version that changes with their bytes. */

import { createHash } from "node:crypto";

export interface BuiltFile {
  /** Path relative to the output folder, with forward slashes: `assets/index-3f2a.js`. */
  name: string;
  bytes: string | Uint8Array;
}

export interface PrecacheManifest {
  version: string;
  urls: string[];
}

/** Never precached: source maps (dev only), the worker itself (the browser fetches it), dotfiles. */
export function isPrecached(name: string, swFileName: string): boolean {
  const base = name.split("/").pop() ?? name;
  return name !== swFileName && !name.endsWith(".map") && !base.startsWith(".");
}

/**
 * URLs sorted so the same build gives the same list; the version hashes names *and* bytes so that
 * a changed public file (not content-hashed by Vite) still yields a new cache.
 */
export function precacheManifest(files: BuiltFile[], swFileName = "sw.js", extra = ""): PrecacheManifest {
  const kept = files.filter((f) => isPrecached(f.name, swFileName)).sort((a, b) => a.name.localeCompare(b.name));
  const hash = createHash("sha256");
  for (const file of kept) {
    hash.update(file.name).update("\0").update(file.bytes).update("\0");
  }
  hash.update(extra);
  return { version: hash.digest("hex").slice(0, 16), urls: kept.map((f) => "/" + f.name) };
}

/** The line prepended to the built worker; `self.__TEZUO_PRECACHE__` is what src/sw/sw.ts reads. */
export function manifestPrelude(manifest: PrecacheManifest): string {
  return `self.__TEZUO_PRECACHE__=${JSON.stringify(manifest)};\n`;
}
