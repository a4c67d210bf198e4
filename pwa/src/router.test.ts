import { describe, expect, it } from "vitest";

import { hrefOf, parseHash } from "./router";

describe("hash routes", () => {
  it.each([
    ["", { name: "home" }],
    ["#", { name: "home" }],
    ["#/", { name: "home" }],
    ["#/login", { name: "login" }],
    ["#/enroll/AbC-123_x", { name: "enroll", code: "AbC-123_x" }],
    ["#/enroll/a%20b", { name: "enroll", code: "a b" }],
    ["#/enroll/", { name: "home" }],
    ["#/nowhere", { name: "home" }],
    ["#/alarms", { name: "alarms" }],
    ["#/alarms/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "alarm", id: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
    ["#/alarms/not-an-id", { name: "alarms" }],
    ["#/board", { name: "board", siteId: null }],
    ["#/board/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "board", siteId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
  ])("%j is %j", (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it("round-trips through hrefOf", () => {
    const id = "0193a7c2-5b1e-7c3d-9e4f-0123456789ab";
    const routes = [
      { name: "home" },
      { name: "login" },
      { name: "enroll", code: "x/y z" },
      { name: "alarms" },
      { name: "alarm", id },
      { name: "board", siteId: id },
      { name: "board", siteId: null },
    ] as const;
    for (const route of routes) {
      expect(parseHash(hrefOf(route))).toEqual(route);
    }
  });
});
