import { describe, expect, it } from "vitest";

import type { Deputy, RoleScope } from "./client";
import { awayBody, awayProblem, defaultAway, deputiesOf, offerable, seesAwayPage } from "./logic";

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
  it("is anyone who signs permit steps or gets alarms, not a plain worker or HR", () => {
    expect(seesAwayPage(["worker", "safety_officer"])).toBe(true);
    expect(seesAwayPage(["guardian"])).toBe(true);
    expect(seesAwayPage(["worker", "hr", "admin"])).toBe(false);
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
