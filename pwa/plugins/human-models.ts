/** Copy the browser face model's weights into dist/models/human/ so the PWA loads them from its own
 * origin. Copied after the bundle is written: they stay out of the service worker's precache
 * (≈ 6 MB fetched only by the liveness page). */

import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

import type { Plugin, ResolvedConfig } from "vite";

export const HUMAN_MODELS = ["blazeface", "facemesh", "iris"];

export function humanModelsPlugin(): Plugin {
  let config: ResolvedConfig;
  return {
    name: "tezuo-human-models",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle() {
      const pkg = resolve(config.root, "node_modules", "@vladmandic", "human");
      const out = resolve(config.root, config.build.outDir, "models", "human");
      mkdirSync(out, { recursive: true });
      for (const name of HUMAN_MODELS) {
        for (const ext of [".json", ".bin"]) copyFileSync(join(pkg, "models", name + ext), join(out, name + ext));
      }
    },
  };
}
