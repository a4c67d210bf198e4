import { describe, expect, it } from "vitest";

import { manifestPrelude, precacheManifest } from "./precache";

const files = [
  { name: "index.html", bytes: "<html>" },
  { name: "assets/index-abc.js", bytes: "console.log(1)" },
  { name: "assets/index-abc.js.map", bytes: "{}" },
  { name: "sw.js", bytes: "self" },
  { name: "icons/icon-192.png", bytes: new Uint8Array([1, 2, 3]) },
  { name: "icons/.DS_Store", bytes: "" },
];

describe("precache manifest", () => {
  it("lists every shell file as a root-relative URL, sorted, without the worker and source maps", () => {
    expect(precacheManifest(files).urls).toEqual(["/assets/index-abc.js", "/icons/icon-192.png", "/index.html"]);
  });

  it("keeps its version while the files are the same, whatever their order", () => {
    expect(precacheManifest([...files].reverse()).version).toBe(precacheManifest(files).version);
  });

  it("gets a new version when any byte of a file changes, also one whose name is not hashed", () => {
    const changed = files.map((f) => (f.name === "icons/icon-192.png" ? { ...f, bytes: new Uint8Array([1, 2, 4]) } : f));
    expect(precacheManifest(changed).version).not.toBe(precacheManifest(files).version);
  });

  it("is written as a statement the worker reads from self", () => {
    const prelude = manifestPrelude({ version: "abc", urls: ["/index.html"] });
    const scope: { __TEZUO_PRECACHE__?: unknown } = {};
    new Function("self", prelude)(scope);
    expect(scope.__TEZUO_PRECACHE__).toEqual({ version: "abc", urls: ["/index.html"] });
  });
});
