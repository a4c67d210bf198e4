import { fileURLToPath } from "node:url";

import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

import { humanModelsPlugin } from "./plugins/human-models.ts";
import { precachePlugin } from "./plugins/precache-plugin.ts";

const swSource = fileURLToPath(new URL("./src/sw/sw.ts", import.meta.url));

export default defineConfig({
  plugins: [preact(), precachePlugin(swSource), humanModelsPlugin()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  test: {
    include: ["src/**/*.test.ts", "plugins/**/*.test.ts"],
    environment: "node",
    // Speed is not what these tests check: a loaded CI machine must not turn a slow run into a failure.
    testTimeout: 30_000,
  },
});
