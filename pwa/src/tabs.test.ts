import { describe, expect, it } from "vitest";

import { grantsOfTab, homeTabs, initialTab, sortRoles, tabsForRoles } from "./tabs";
import { meFactory } from "./test-support";

describe("home tabs", () => {
  it("follow the server's home_tabs in the fixed order, dropping unknown values", () => {
    expect(homeTabs({ home_tabs: ["inspector", "worker", "pilot"], roles: [] })).toEqual(["worker", "inspector"]);
  });

  it("are derived from roles when the answer has none", () => {
    expect(homeTabs({ home_tabs: [], roles: ["worker", "inspector"] })).toEqual(["worker", "inspector"]);
    expect(homeTabs({ roles: ["guardian"] })).toEqual(["guardian"]);
    expect(tabsForRoles(["safety_officer", "hr"])).toEqual(["manager"]);
    expect(tabsForRoles(["worker", "guardian", "inspector", "admin"])).toEqual([
      "worker",
      "guardian",
      "inspector",
      "manager",
    ]);
  });

  it("fall back to the worker tab for a person with no known role", () => {
    expect(tabsForRoles([])).toEqual(["worker"]);
    expect(tabsForRoles(["crane_operator"])).toEqual(["worker"]);
  });

  it("show on each tab only the grants of that tab's roles", () => {
    const me = meFactory({
      grants: [
        { role: "worker", scope_path: "/E/S/W/T/", scope_name: "一班" },
        { role: "inspector", scope_path: "/E/S/", scope_name: "一号厂区" },
        { role: "team_leader", scope_path: "/E/S/W/T/", scope_name: "一班" },
        { role: "safety_officer", scope_path: "/E/S/W/", scope_name: "一车间" },
      ],
    });
    expect(grantsOfTab(me.grants, "inspector").map((g) => g.scope_name)).toEqual(["一号厂区"]);
    expect(grantsOfTab(me.grants, "manager").map((g) => g.role)).toEqual(["team_leader", "safety_officer"]);
    expect(grantsOfTab(me.grants, "guardian")).toEqual([]);
  });

  it("open the remembered tab only if the person still has it", () => {
    expect(initialTab(["worker", "inspector"], "inspector")).toBe("inspector");
    expect(initialTab(["worker", "inspector"], "manager")).toBe("worker");
    expect(initialTab(["guardian"], null)).toBe("guardian");
  });
});

describe("sortRoles", () => {
  it("puts on-site roles first and unknown roles last", () => {
    expect(sortRoles(["inspector", "admin", "welder", "worker", "team_leader"])).toEqual([
      "worker",
      "inspector",
      "team_leader",
      "admin",
      "welder",
    ]);
  });
});
