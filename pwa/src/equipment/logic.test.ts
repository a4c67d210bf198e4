import { describe, expect, it } from "vitest";

import {
  byFlag,
  calibrationBody,
  calibrationProblems,
  csvProblem,
  deviationPercent,
  excludedFromLock,
  findingFromAnalysis,
  findingProblems,
  withinTolerance,
  type CalibrationForm,
} from "./logic";
import type { DetectorState } from "./types";

const form: CalibrationForm = {
  detectorId: "d1",
  calibratedAt: "2026-11-28T09:30",
  referenceGas: " CH4 50%LEL ",
  referenceValue: "50",
  reading: "51.3",
  unit: "lel",
  technician: " 王仪表 ",
  note: "",
};

describe("calibration form", () => {
  it("computes the deviation live, as the server rounds it", () => {
    expect(deviationPercent("50", "51.3")).toBe(2.6);
    expect(deviationPercent("25", "24.5")).toBe(-2);
    expect(deviationPercent("50", "")).toBeNull();
    expect(deviationPercent("0", "1")).toBeNull();
    expect(deviationPercent("50", "abc")).toBeNull();
    expect(deviationPercent("10,0", "10,1")).toBe(1);
  });

  it("judges the tolerance of ±2 %", () => {
    expect(withinTolerance(2)).toBe(true);
    expect(withinTolerance(-2)).toBe(true);
    expect(withinTolerance(2.6)).toBe(false);
  });

  it("names what is missing or wrong, in field order", () => {
    const now = new Date("2026-11-28T10:00:00");
    expect(calibrationProblems(form, now)).toEqual([]);
    expect(calibrationProblems({ ...form, detectorId: "", technician: " ", referenceValue: "0" }, now)).toEqual([
      "detectorMissing",
      "referenceInvalid",
      "technicianMissing",
    ]);
    expect(calibrationProblems({ ...form, calibratedAt: "2026-11-28T11:00" }, now)).toEqual(["timeFuture"]);
    expect(calibrationProblems({ ...form, calibratedAt: "", reading: "-1", referenceGas: "" }, now)).toEqual([
      "timeMissing",
      "gasMissing",
      "readingInvalid",
    ]);
  });

  it("builds the request body with a UTC instant and trimmed text", () => {
    const body = calibrationBody(form);
    expect(body).toMatchObject({ detector_id: "d1", reference_gas: "CH4 50%LEL", reference_value: 50, reading: 51.3, technician: "王仪表" });
    expect(body.calibrated_at).toBe(new Date("2026-11-28T09:30").toISOString());
  });

  it("checks the CSV file before sending it", () => {
    expect(csvProblem("校准.csv", 100)).toBeNull();
    expect(csvProblem("report.xlsx", 100)).toBe("notCsv");
    expect(csvProblem("a.csv", 0)).toBe("empty");
    expect(csvProblem("a.csv", 2 * 1024 * 1024)).toBe("tooBig");
  });
});

describe("detector list", () => {
  const d = (code: string, flag: DetectorState["flag"]): DetectorState => ({
    detector_id: code,
    code,
    name: code,
    last_calibrated_at: null,
    last_deviation_percent: null,
    flag,
  });

  it("puts flagged detectors first", () => {
    const sorted = byFlag([d("A", null), d("B", "never_calibrated"), d("C", "overdue"), d("D", "out_of_tolerance"), d("E", "overdue")]);
    expect(sorted.map((x) => x.code)).toEqual(["D", "C", "E", "B", "A"]);
  });

  it("leaves overdue and out-of-tolerance detectors out of the gas lock only", () => {
    expect(excludedFromLock("overdue")).toBe(true);
    expect(excludedFromLock("out_of_tolerance")).toBe(true);
    expect(excludedFromLock("never_calibrated")).toBe(false);
    expect(excludedFromLock(null)).toBe(false);
  });
});

describe("root-cause finding", () => {
  it("starts from the analysis in the UI's language", () => {
    const rc = { finding: { "zh-CN": "凌晨尖峰", en: "Night spikes" }, suggested_tag: "vibration_interference" as const };
    expect(findingFromAnalysis(rc, "en")).toEqual({ tag: "vibration_interference", finding: "Night spikes", fix: "" });
    expect(findingFromAnalysis({ finding: { "zh-CN": "无" }, suggested_tag: null }, "en")).toEqual({ tag: "", finding: "无", fix: "" });
  });

  it("requires a tag and the finding in words", () => {
    expect(findingProblems({ tag: "", finding: " ", fix: "" })).toEqual(["tagMissing", "findingMissing"]);
    expect(findingProblems({ tag: "other", finding: "x".repeat(601), fix: "" })).toEqual(["tooLong"]);
    expect(findingProblems({ tag: "sensor_drift", finding: "零点漂移", fix: "更换传感器" })).toEqual([]);
  });
});
