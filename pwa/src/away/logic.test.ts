import { describe, expect, it } from "vitest";

import type { Deputy, RoleScope } from "./client";
import { actsForOthers, awayBody, awayProblem, defaultAway, deputiesOf, mayActFor, offerable, pickable, seesAwayPage } from "./logic";

const grant = (role: string, scopeId: string): RoleScope => ({
  role,
  scope_id: scopeId,
  scope_code: scopeId.toUpperCase(),
  scope_name: scopeId,
  scope_path: `/${scopeId}/`,
});
const person = (id: string) => ({ id, name: id, unit_path: "/e/" });
const deputy = (id: string, g: RoleScope, who: string): Deputy => ({
  id,
  principal: person("me"),
  deputy: person(who),
  role: g.role,
  scope: g,
  active_from: null,
  active_until: null,
  in_force: true,
});

describe("who sees the page", () => {
  it("is anyone who signs permit steps or gets alarms, or who manages others' B角; not a plain worker", () => {
    expect(seesAwayPage(["worker", "safety_officer"])).toBe(true);
    expect(seesAwayPage(["guardian"])).toBe(true);
    expect(seesAwayPage(["worker", "hr"])).toBe(true);
    expect(seesAwayPage(["admin"])).toBe(true);
    expect(seesAwayPage(["worker"])).toBe(false);
  });
});

describe("acting on behalf of someone", () => {
  const hrOfW1 = [{ role: "hr", scope_path: "/e/s1/w1/", scope_name: "W1" }];
  const people = [
    { id: "me", name: "何人事", unit_path: "/e/s1/w1/" },
    { id: "a", name: "许甲安全", unit_path: "/e/s1/w1/" },
    { id: "b", name: "冯乙安全", unit_path: "/e/s1/w1/t1/" },
    { id: "c", name: "许丙", unit_path: "/e/s2/" },
  ];

  it("offers the picker to admin, 车间主任, 分管副总 and HR only", () => {
    expect(actsForOthers(["hr"])).toBe(true);
    expect(actsForOthers(["worker", "workshop_director"])).toBe(true);
    expect(actsForOthers(["vice_president"])).toBe(true);
    expect(actsForOthers(["admin"])).toBe(true);
    expect(actsForOthers(["safety_officer", "team_leader", "inspector", "guardian", "worker"])).toBe(false);
  });

  it("acts for people under a manager grant, not under another role's grant", () => {
    expect(mayActFor(hrOfW1, "/e/s1/w1/t1/")).toBe(true);
    expect(mayActFor(hrOfW1, "/e/s2/")).toBe(false);
    expect(mayActFor([{ role: "safety_officer", scope_path: "/e/", scope_name: "E" }], "/e/s1/")).toBe(false);
  });

  it("filters by part of the name, within scope, leaving me out", () => {
    expect(pickable(people, hrOfW1, "me", "").map((p) => p.id)).toEqual(["a", "b"]);
    expect(pickable(people, hrOfW1, "me", " 许 ").map((p) => p.id)).toEqual(["a"]);
    expect(pickable(people, hrOfW1, "me", "乙").map((p) => p.id)).toEqual(["b"]);
    expect(pickable(people, hrOfW1, "me", "何")).toEqual([]);
    const admin = [{ role: "admin", scope_path: "/e/", scope_name: "E" }];
    expect(pickable(people, admin, "me", "许").map((p) => p.id)).toEqual(["a", "c"]);
    expect(pickable([{ id: "x", name: "Zhang Wei", unit_path: "/e/" }], admin, "me", "zhang").length).toBe(1);
  });
});

describe("deputies per grant", () => {
  const so = grant("safety_officer", "ws");
  const tl = grant("team_leader", "team");
  const soSite = grant("safety_officer", "site");
  const all = [deputy("1", so, "a"), deputy("2", tl, "b"), deputy("3", soSite, "c")];

  it("groups by role and unit", () => {
    expect(deputiesOf(all, so).map((d) => d.id)).toEqual(["1"]);
    expect(deputiesOf(all, soSite).map((d) => d.id)).toEqual(["3"]);
  });

  it("offers only people not already named for the grant", () => {
    expect(offerable([person("a"), person("c")], deputiesOf(all, so)).map((p) => p.id)).toEqual(["c"]);
  });
});

describe("the away form", () => {
  const now = new Date("2026-11-30T01:00:00Z");

  it("starts now and lasts a day", () => {
    const form = defaultAway(now);
    expect(awayProblem(form, now)).toBeNull();
    expect(new Date(form.end).getTime() - new Date(form.start).getTime()).toBe(24 * 3600_000);
  });

  it("refuses what the server would refuse", () => {
    const form = defaultAway(now);
    expect(awayProblem({ ...form, end: "" }, now)).toBe("timesMissing");
    expect(awayProblem({ ...form, end: form.start }, now)).toBe("endBeforeStart");
    const past = defaultAway(new Date("2026-11-01T01:00:00Z"));
    expect(awayProblem(past, now)).toBe("endPast");
    expect(awayProblem({ ...form, reason: "差".repeat(201) }, now)).toBe("reasonTooLong");
  });

  it("sends instants in UTC and a trimmed reason", () => {
    const body = awayBody({ ...defaultAway(now), reason: " 出差 " });
    expect(body.starts_at).toBe(now.toISOString());
    expect(body.reason).toBe("出差");
  });
});
