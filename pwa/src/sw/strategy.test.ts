import { describe, expect, it } from "vitest";

import { cacheName, staleCaches, strategyFor } from "./strategy";

const origin = "http://localhost:8000";
const precached = new Set(["/index.html", "/assets/index-abc.js", "/manifest.webmanifest"]);
const req = (url: string, mode = "cors", method = "GET") => ({ url: origin + url, mode, method });

describe("service worker strategy", () => {
  it("never answers /api requests, not even page loads of them", () => {
    expect(strategyFor(req("/api/auth/me"), origin, precached)).toBe("passthrough");
    expect(strategyFor(req("/api/schema", "navigate"), origin, precached)).toBe("passthrough");
    expect(strategyFor(req("/api"), origin, precached)).toBe("passthrough");
  });

  it("serves page loads with the shell and shell files from the cache", () => {
    expect(strategyFor(req("/", "navigate"), origin, precached)).toBe("navigate");
    expect(strategyFor(req("/?source=pwa", "navigate"), origin, precached)).toBe("navigate");
    expect(strategyFor(req("/assets/index-abc.js"), origin, precached)).toBe("precached");
    expect(strategyFor(req("/apiary.png"), origin, precached)).toBe("passthrough");
  });

  it("leaves writes and other origins to the network", () => {
    expect(strategyFor(req("/index.html", "cors", "POST"), origin, precached)).toBe("passthrough");
    expect(strategyFor({ url: "https://cdn.example/x.js", mode: "cors", method: "GET" }, origin, precached)).toBe(
      "passthrough",
    );
  });

  it("deletes only older shell caches on activate", () => {
    const current = cacheName("v2");
    expect(staleCaches(["tezuo-shell-v1", current, "tezuo-media", "other"], current)).toEqual(["tezuo-shell-v1"]);
  });
});
