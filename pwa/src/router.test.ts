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
    ["#/alarms", { name: "alarms" }],
    ["#/alarms/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "alarm", id: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
    ["#/alarms/not-an-id", { name: "alarms" }],
    ["#/board", { name: "board", siteId: null }],
    ["#/board/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "board", siteId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
    ["#/registry", { name: "registry" }],
    ["#/registry/people/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "registryHistory", personId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
    ["#/registry/people/not-an-id", { name: "registry" }],
    ["#/exam", { name: "exam" }],
    ["#/exams", { name: "exams", videoId: null }],
    ["#/exams/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "exams", videoId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
    ["#/exams/not-an-id", { name: "exams", videoId: null }],
    ["#/analytics", { name: "analytics", unitId: null }],
    ["#/analytics/0193a7c2-5b1e-7c3d-9e4f-0123456789ab", { name: "analytics", unitId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" }],
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
      { name: "alarms" },
      { name: "alarm", id: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" },
      { name: "board", siteId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" },
      { name: "board", siteId: null },
      { name: "registry" },
      { name: "registryHistory", personId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" },
      { name: "analytics", unitId: "0193a7c2-5b1e-7c3d-9e4f-0123456789ab" },
      { name: "analytics", unitId: null },
    ] as const) {
      expect(parseHash(hrefOf(route))).toEqual(route);
    }
  });
});

describe("qualification routes", () => {
  it("open the worker's certificates and the manager's ledger views", () => {
    expect(parseHash("#/certificates")).toEqual({ name: "certificates" });
    expect(parseHash("#/ledger")).toEqual({ name: "ledger", view: "list" });
    expect(parseHash("#/ledger/shadow")).toEqual({ name: "ledger", view: "shadow" });
    expect(parseHash("#/ledger/import")).toEqual({ name: "ledger", view: "import" });
    expect(parseHash("#/ledger/bogus")).toEqual({ name: "ledger", view: "list" });
    for (const route of [{ name: "certificates" }, { name: "ledger", view: "shadow" }] as const) {
      expect(parseHash(hrefOf(route))).toEqual(route);
    }
  });
});

describe("equipment routes", () => {
  const unit = "0193a7c2-5b1e-7c3d-9e4f-0123456789ab";
  const detector = "0193a7c2-5b1e-7c3d-9e4f-0123456789cd";
  it("open a unit's detectors and one detector", () => {
    expect(parseHash("#/detectors")).toEqual({ name: "detectors", unitId: null, detectorId: null });
    expect(parseHash(`#/detectors/${unit}`)).toEqual({ name: "detectors", unitId: unit, detectorId: null });
    expect(parseHash(`#/detectors/${unit}/${detector}`)).toEqual({ name: "detectors", unitId: unit, detectorId: detector });
    expect(parseHash(`#/detectors/bogus/${detector}`)).toEqual({ name: "detectors", unitId: null, detectorId: null });
    for (const route of [
      { name: "detectors", unitId: null, detectorId: null },
      { name: "detectors", unitId: unit, detectorId: null },
      { name: "detectors", unitId: unit, detectorId: detector },
    ] as const) {
      expect(parseHash(hrefOf(route))).toEqual(route);
    }
  });
});

describe("away route", () => {
  it("opens 外出与B角 and round-trips", () => {
    expect(parseHash("#/away")).toEqual({ name: "away", personId: null });
    expect(parseHash("#/away/anything")).toEqual({ name: "away", personId: null });
    expect(parseHash(hrefOf({ name: "away", personId: null }))).toEqual({ name: "away", personId: null });
    const someone = { name: "away", personId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" } as const;
    expect(hrefOf(someone)).toBe(`#/away/${someone.personId}`);
    expect(parseHash(hrefOf(someone))).toEqual(someone);
  });
});
