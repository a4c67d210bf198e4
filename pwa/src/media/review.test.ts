import { describe, expect, it } from "vitest";

import { confidencePercent, draft, draftProblem, shownFields, sortChecks } from "./review";
import type { Scan } from "./types";

const scan: Scan = {
  id: "s",
  person_id: "p",
  status: "pending",
  verdict: "amber",
  family: "mem",
  fields: {
    valid_until: { value: "2030-05-09", confidence: 0.99, raw: "" },
    number: { value: "T3201**********123X", confidence: 0.98, raw: "" },
    item_key: { value: "mem:02-01", confidence: 0.7, raw: "熔化焊接与热切割作业" },
    valid_from: { value: "2024-05-10", confidence: 0.99, raw: "" },
    family: { value: "mem", confidence: 1, raw: "" },
  },
  checks: [
    { code: "item_known", level: "ok", reason: "" },
    { code: "registry_not_configured", level: "info", reason: "" },
    { code: "low_confidence", level: "amber", reason: "" },
    { code: "id_mismatch", level: "red", reason: "" },
  ],
  ocr_seconds: 1.2,
  created_at: "2026-11-28T08:00:00Z",
  certificate_id: null,
  corrections: {},
};

describe("scan review", () => {
  it("shows the fields read, in reading order", () => {
    expect(shownFields(scan)).toEqual(["family", "number", "item_key", "valid_from", "valid_until"]);
  });

  it("starts the form from what was read, masked number included", () => {
    expect(draft(scan)).toEqual({
      item_key: "mem:02-01",
      number: "T3201**********123X",
      issued_on: "2024-05-10",
      valid_until: "2030-05-09",
      issuing_authority: "",
      first_issued_on: null,
    });
    expect(draftProblem(draft(scan))).toBeNull();
    expect(draftProblem({ ...draft(scan), issued_on: "" })).toBe("issued");
    expect(draftProblem({ ...draft(scan), item_key: "" })).toBe("item");
  });

  it("puts red checks first and clamps confidences", () => {
    expect(sortChecks(scan.checks).map((c) => c.level)).toEqual(["red", "amber", "info", "ok"]);
    expect(confidencePercent(0.987)).toBe(99);
    expect(confidencePercent(1.5)).toBe(100);
  });
});
