import { describe, expect, it } from "vitest";

import { byUrgency, elapsedPercent, howToApply, urgency } from "./countdown";
import type { Certificate } from "./types";

function cert(days_left: number, overrides: Partial<Certificate> = {}): Certificate {
  return {
    id: `c${days_left}`,
    person_id: "p",
    family: "mem",
    family_name: "特种作业操作证（应急管理部）",
    item_key: "mem:02-01",
    item_name: "熔化焊接与热切割作业",
    category_name: "焊接与热切割作业",
    item_limit: null,
    number: "T3201**********123X",
    issuing_authority: "南京市应急管理局",
    issued_on: "2020-06-01",
    valid_until: "2026-06-01",
    review_due_on: null,
    deadline_on: `2026-${String(1 + Math.max(0, Math.min(11, Math.floor(days_left / 31) + 5))).padStart(2, "0")}-01`,
    deadline_kind: "renewal",
    window_opens_on: "2026-04-02",
    apply_by: "2026-06-01",
    days_left,
    status: days_left < 0 ? "expired" : days_left <= 90 ? "review_due" : "valid",
    lapse: days_left < 0 ? "expired" : null,
    frozen: days_left < 0,
    how_to_apply: "期满前60日内申请",
    how_to_apply_en: "Apply within 60 days",
    where_to_apply: "南京市应急管理局",
    query_site: "http://cx.mem.gov.cn/",
    ...overrides,
  };
}

describe("urgency", () => {
  it("follows the three warning levels: T-90, T-30, then lapsed", () => {
    expect([400, 91, 90, 31, 30, 8, 7, 0, -1].map((d) => urgency(cert(d)))).toEqual([
      "ok",
      "ok",
      "remind",
      "remind",
      "retrain",
      "retrain",
      "due",
      "due",
      "lapsed",
    ]);
    expect(urgency(cert(300, { status: "revoked" }))).toBe("revoked");
  });

  it("puts the most urgent certificate first", () => {
    const sorted = byUrgency([cert(200), cert(-5), cert(20), cert(60)]);
    expect(sorted.map((c) => c.days_left)).toEqual([-5, 20, 60, 200]);
  });
});

describe("the countdown page's texts and bar", () => {
  it("shows the guidance in the chosen language, Chinese when no English exists", () => {
    expect(howToApply(cert(10), "en")).toBe("Apply within 60 days");
    expect(howToApply(cert(10), "zh-CN")).toBe("期满前60日内申请");
    expect(howToApply(cert(10, { how_to_apply_en: "" }), "en")).toBe("期满前60日内申请");
  });

  it("fills the bar with the share of time used up to the deadline", () => {
    const c = cert(10, { issued_on: "2026-01-01", deadline_on: "2026-01-11" });
    expect(elapsedPercent(c, new Date("2026-01-06T00:00:00Z"))).toBe(50);
    expect(elapsedPercent(c, new Date("2027-01-01T00:00:00Z"))).toBe(100);
    expect(elapsedPercent(c, new Date("2025-01-01T00:00:00Z"))).toBe(0);
  });
});
