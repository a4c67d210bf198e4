import { describe, expect, it } from "vitest";

import { Api, type Fetch } from "../api";
import { historyBack } from "./access";
import { acknowledge, findings, resolve } from "./client";
import type { Check, FindingDetail, LastRun, Run } from "./types";
import { byCertificate, comparison, outcomeCounts, runPercent, sameName, statusWordKey } from "./view";

const OURS = {
  holder_name: "阿依·买买提",
  item_code: "02-01",
  status: "review_due",
  valid_until: "2029-03-01",
  issued_on: "2023-03-01",
  last_reviewed_on: null,
  issuing_authority: "南京市应急管理局",
};
const SAME = {
  found: true,
  holder_name: "阿依 买买提",
  item_code: "02-01",
  item_name: "熔化焊接与热切割作业",
  status: "valid",
  valid_until: "2029-03-01",
  issued_on: "2023-03-01",
  issuing_authority: "南京市应急管理局",
  review_dates: [],
  next_review_due: null,
};

const differing = (detail: FindingDetail) => comparison(detail).filter((r) => r.differs).map((r) => r.field);

describe("ours against the registry", () => {
  it("marks nothing when the registry agrees (names as the server compares them)", () => {
    expect(differing({ ours: OURS, registry: SAME })).toEqual([]);
    expect(sameName("阿依·买买提", "阿依买买提")).toBe(true);
    expect(sameName("ＡＢ", "AB")).toBe(true); // NFKC: full-width letters
    expect(sameName("张三", "张四")).toBe(false);
  });

  it("marks each field that differs, with both sides shown", () => {
    const registry = { ...SAME, holder_name: "张三", item_code: "01-02", valid_until: "2031-03-01", review_dates: ["2026-02-01", "2025-01-01"] };
    const rows = comparison({ ours: OURS, registry });
    expect(rows.filter((r) => r.differs).map((r) => r.field)).toEqual(["holder_name", "item", "valid_until", "reviewed_on"]);
    expect(rows.find((r) => r.field === "reviewed_on")).toEqual({ field: "reviewed_on", ours: null, registry: "2026-02-01", differs: true });
  });

  it("speaks of status in the registry's words: a review-due certificate is valid, a lapsed one expired", () => {
    expect(differing({ ours: { ...OURS, status: "valid" }, registry: { ...SAME, status: "revoked" } })).toEqual(["status"]);
    expect(differing({ ours: { ...OURS, status: "shadow" }, registry: { ...SAME, status: "expired" } })).toEqual([]);
    expect(differing({ ours: { ...OURS, status: "valid" }, registry: { ...SAME, status: "expired" } })).toEqual(["status"]);
    expect([statusWordKey("revoked"), statusWordKey("暂扣"), statusWordKey(undefined)]).toEqual(["registry.word.revoked", null, null]);
  });

  it("leaves the registry's column empty when it has no record, and an old detail without ours empty", () => {
    const rows = comparison({ ours: OURS, registry: { found: false } });
    expect(rows.every((r) => r.registry === null && !r.differs)).toBe(true);
    expect(rows.find((r) => r.field === "holder_name")!.ours).toBe("阿依·买买提");
    expect(comparison({ registry: SAME })).toEqual([]);
  });
});

const RUN: Run = {
  id: "r",
  day: "2026-11-28",
  trigger: "schedule",
  status: "completed_with_errors",
  started_at: "2026-11-28T18:00:00Z",
  finished_at: "2026-11-28T18:02:00Z",
  total: 8,
  checked: 6,
  matched: 3,
  discrepancies: 2,
  errors: 1,
  resumes: 0,
  requests: 3,
};

describe("the last run", () => {
  it("lists outcomes in a fixed order, zeros left out, unknown ones last", () => {
    const last: LastRun = { run: RUN, configured: true, outcomes: { error: 1, match: 3, zzz_new: 2, renewed: 0, not_found: 2 } };
    expect(outcomeCounts(last)).toEqual([
      { outcome: "match", count: 3 },
      { outcome: "not_found", count: 2 },
      { outcome: "error", count: 1 },
      { outcome: "zzz_new", count: 2 },
    ]);
    expect(outcomeCounts({ run: RUN, configured: true })).toEqual([]); // an older server
  });

  it("shows progress as a capped percentage; an empty run is done", () => {
    expect(runPercent({ run: RUN, configured: true })).toBe(75);
    expect(runPercent({ run: { ...RUN, total: 0, checked: 0 }, configured: true })).toBe(100);
    expect(runPercent({ run: { ...RUN, checked: 9 }, configured: true })).toBe(100);
    expect(runPercent({ run: null, configured: false })).toBe(100);
  });
});

describe("a person's history", () => {
  const check = (id: string, cert: string, at: string, outcome: Check["outcome"]): Check => ({
    id, run_id: "r", certificate_id: cert, item_key: `mem:${cert}`, outcome, answer: { found: true }, error: null, checked_at: at,
  }); // prettier-ignore
  it("groups checks per certificate, newest first, most recently checked certificate first", () => {
    const groups = byCertificate([
      check("1", "A", "2026-11-26T18:00:00Z", "match"),
      check("2", "B", "2026-11-27T18:00:00Z", "error"),
      check("3", "A", "2026-11-28T18:00:00Z", "name_mismatch"),
    ]);
    expect(groups.map((g) => [g.itemKey, g.checks.map((c) => c.id)])).toEqual([
      ["mem:A", ["3", "1"]],
      ["mem:B", ["2"]],
    ]);
  });

  it("leads back to the registry page, one's own certificates, or the ledger", () => {
    expect(historyBack({ person_id: "p", roles: ["worker", "safety_officer"] }, "p")).toEqual({ name: "registry" });
    expect(historyBack({ person_id: "p", roles: ["worker"] }, "p")).toEqual({ name: "certificates" });
    expect(historyBack({ person_id: "p", roles: ["team_leader"] }, "q")).toEqual({ name: "ledger", view: "list" });
  });
});

describe("registry calls", () => {
  it("send the status filter, an optional trimmed note, and a required one", async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fetcher: Fetch = async (url, init) => {
      calls.push({ url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return new Response("{}", { headers: { "content-type": "application/json" } });
    };
    const api = new Api(fetcher);
    await findings("acknowledged", api);
    await findings(null, api);
    await acknowledge("f/1", "  ", api);
    await acknowledge("f1", " 已电话核实 ", api);
    await resolve("f1", " 台账已更正 ", api);
    expect(calls).toEqual([
      { url: "/api/registry/findings?status=acknowledged", body: undefined },
      { url: "/api/registry/findings", body: undefined },
      { url: "/api/registry/findings/f%2F1/acknowledge", body: {} },
      { url: "/api/registry/findings/f1/acknowledge", body: { note: "已电话核实" } },
      { url: "/api/registry/findings/f1/resolve", body: { note: "台账已更正" } },
    ]);
  });
});
