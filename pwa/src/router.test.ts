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
    ["#/permits/new", { name: "permitNew" }],
    ["#/permits/0193a0b2-7c3e", { name: "permit", id: "0193a0b2-7c3e" }],
  ])("%j is %j", (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it("round-trips through hrefOf", () => {
    for (const route of [
      { name: "home" },
      { name: "login" },
      { name: "enroll", code: "x/y z" },
      { name: "permitNew" },
      { name: "permit", id: "p-1" },
    ] as const) {
      expect(parseHash(hrefOf(route))).toEqual(route);
    }
  });
});
