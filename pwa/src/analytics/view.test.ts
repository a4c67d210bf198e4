import { describe, expect, it } from "vitest";

import { formatValue, queryOf, sparkline, thresholdText } from "./view";

describe("analytics view helpers", () => {
  it("builds the period query ending now", () => {
    const q = new URLSearchParams(
      queryOf({ unitId: "u1", days: 30, trade: "hot_work", personId: null }, new Date("2026-12-01T00:00:00Z")),
    );
    expect(q.get("since")).toBe("2026-11-01T00:00:00.000Z");
    expect(q.get("until")).toBe("2026-12-01T00:00:00.000Z");
    expect(q.get("trade")).toBe("hot_work");
    expect(q.has("person_id")).toBe(false);
  });

  it("starts the period at a UTC midnight, so whole days come from the rollups", () => {
    const q = new URLSearchParams(
      queryOf({ unitId: "u1", days: 7, trade: null, personId: null }, new Date("2026-12-01T10:17:00Z")),
    );
    expect(q.get("since")).toBe("2026-11-24T00:00:00.000Z");
    expect(q.get("until")).toBe("2026-12-01T10:17:00.000Z");
  });

  it("formats values and thresholds by unit", () => {
    expect(formatValue(6.67, "%")).toBe("6.67 %");
    expect(formatValue(95, "%")).toBe("95 %");
    expect(formatValue(3, "count")).toBe("3");
    expect(formatValue(null, "s")).toBe("—");
    expect(thresholdText({ op: "le", target: 90, unit: "s" })).toBe("≤ 90 s");
    expect(thresholdText({ op: "ge", target: 95, unit: "%" })).toBe("≥ 95 %");
  });

  it("draws a sparkline that skips empty buckets", () => {
    expect(sparkline([0, null, 10], 100, 20)).toBe("0.0,20.0 100.0,0.0");
    expect(sparkline([null, null], 100, 20)).toBe("");
  });
});
