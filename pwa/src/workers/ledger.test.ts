import { describe, expect, it } from "vitest";

import { Api, type Fetch } from "../api";
import { exportUrl, ledger, uploadLedger, XLSX_TYPE } from "./client";
import { activeFilters, ledgerParams, NO_FILTERS } from "./filters";
import { finished, progressPercent, uploadProblem } from "./upload";

function recording() {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetcher: Fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ items: [], total: 0, offset: 0, limit: 50, by_status: {} }), {
      headers: { "content-type": "application/json" },
    });
  };
  return { calls, api: new Api(fetcher) };
}

describe("ledger filters", () => {
  it("become the query the API reads; empty ones are left out", () => {
    expect(ledgerParams(NO_FILTERS).toString()).toBe("");
    const params = ledgerParams({
      ...NO_FILTERS,
      status: "shadow",
      family: "mem",
      item: "mem:02-01",
      unitPath: "/ENT/S1/W1/",
      expiringWithin: "30",
      q: " 张 ",
    });
    expect(Object.fromEntries(params)).toEqual({
      status: "shadow",
      family: "mem",
      item: "mem:02-01",
      unit_path: "/ENT/S1/W1/",
      expiring_within: "30",
      q: "张",
    });
  });

  it("ignore a days value that is not a number and cap a huge one", () => {
    expect(ledgerParams({ ...NO_FILTERS, expiringWithin: "abc" }).has("expiring_within")).toBe(false);
    expect(ledgerParams({ ...NO_FILTERS, expiringWithin: "99999" }).get("expiring_within")).toBe("3650");
    expect(activeFilters({ ...NO_FILTERS, family: "samr", q: "王" })).toBe(2);
  });

  it("go into the ledger request and the export link alike", async () => {
    const { calls, api } = recording();
    await ledger({ ...NO_FILTERS, contractorId: "c-1" }, 50, api);
    expect(calls[0]!.url).toBe("/api/qualifications/ledger?contractor_id=c-1&offset=50");
    expect(exportUrl({ ...NO_FILTERS, status: "expired" })).toBe("/api/ledger/export.xlsx?status=expired");
  });
});

describe("the ledger upload", () => {
  it("sends the workbook as the body with its type, options in the query", async () => {
    const { calls, api } = recording();
    const file = new Blob([new Uint8Array([0x50, 0x4b, 3, 4])]);
    await uploadLedger(file, "台账.xlsx", true, "NJ1-MNT-T2", api);
    const call = calls[0]!;
    expect(call.init?.method).toBe("POST");
    expect(call.init?.body).toBe(file);
    expect((call.init?.headers as Record<string, string>)["content-type"]).toBe(XLSX_TYPE);
    const query = new URLSearchParams(call.url.split("?")[1]);
    expect(Object.fromEntries(query)).toEqual({ filename: "台账.xlsx", strict: "true", unit: "NJ1-MNT-T2" });
  });

  it("refuses other files and oversized ones before sending", () => {
    expect(uploadProblem("ledger.XLSX", 1000)).toBeNull();
    expect(uploadProblem("ledger.xls", 1000)).toBe("notXlsx");
    expect(uploadProblem("ledger.xlsx", 21 * 1024 * 1024)).toBe("tooBig");
  });

  it("shows reading as the first 60 % of the bar and writing as the rest", () => {
    expect(progressPercent({ status: "running", progress: { phase: "read", done: 50, total: 100, percent: 50 } })).toBe(30);
    expect(progressPercent({ status: "running", progress: { phase: "write", done: 1, total: 2, percent: 50 } })).toBe(80);
    expect(progressPercent({ status: "queued", progress: null })).toBe(0);
    expect(progressPercent({ status: "done", progress: null })).toBe(100);
    expect([finished("running"), finished("rejected"), finished("interrupted")]).toEqual([false, true, true]);
  });
});
