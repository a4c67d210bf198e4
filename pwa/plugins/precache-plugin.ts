/** Vite plugin: builds src/sw/sw.ts as /sw.js and writes the hashed shell's URL list into it. */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

import type { Plugin, ResolvedConfig } from "vite";

import { type BuiltFile, manifestPrelude, precacheManifest } from "./precache.ts";

function publicFiles(dir: string): BuiltFile[] {
  const out: BuiltFile[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ name: relative(dir, path).split(sep).join("/"), bytes: readFileSync(path) });
    }
  };
  if (dir) {
    try {
      walk(dir);
    } catch {
      return []; // no public folder: nothing to add
    }
  }
  return out;
}

export function precachePlugin(swSource: string, swFileName = "sw.js"): Plugin {
  let config: ResolvedConfig;
  return {
    name: "tezuo-precache",
    apply: "build",
    enforce: "post",
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.emitFile({ type: "chunk", id: swSource, fileName: swFileName });
    },
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        const worker = bundle[swFileName];
        if (!worker || worker.type !== "chunk") {
          this.error(`service worker chunk ${swFileName} missing from the bundle`);
        }
        // The worker is registered as a classic script: a chunk shared with the app would need `import`.
        if (worker.imports.length || worker.dynamicImports.length) {
          this.error(`${swFileName} imports ${[...worker.imports, ...worker.dynamicImports].join(", ")}; keep src/sw self-contained`);
        }
        const built: BuiltFile[] = Object.values(bundle).map((item) => ({
          name: item.fileName,
          bytes: item.type === "chunk" ? item.code : item.source,
        }));
        const manifest = precacheManifest([...built, ...publicFiles(config.publicDir)], swFileName, worker.code);
        worker.code = manifestPrelude(manifest) + worker.code;
      },
    },
  };
}
