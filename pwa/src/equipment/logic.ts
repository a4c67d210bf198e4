/** Form logic of the equipment pages: calibration entry (live deviation, checks, the request body),
 * the CSV import's file checks, detector flags, root-cause findings and tags. Pure, so it is tested. */

import type { CalibrationBody, DetectorState, Flag, GasUnit, TagCode } from "./types";

export const TOLERANCE_PERCENT = 2; // data/indicators.json calibration_deviation.tolerance_percent
export const CSV_MAX_BYTES = 1024 * 1024; // the import's limit (backend/analytics/routes.py)
export const GAS_UNITS: readonly GasUnit[] = ["lel", "ppm", "vol"];
export const TAGS: readonly TagCode[] = ["vibration_interference", "electrical_interference", "sensor_drift", "genuine_leak", "other"];

export interface CalibrationForm {
  detectorId: string;
  calibratedAt: string; // <input type="datetime-local">: local wall time, no zone
  referenceGas: string;
  referenceValue: string;
  reading: string;
  unit: GasUnit;
  technician: string;
  note: string;
}

export type CalibrationProblem =
  | "detectorMissing"
  | "timeMissing"
  | "timeFuture"
  | "gasMissing"
  | "referenceInvalid"
  | "readingInvalid"
  | "technicianMissing";

function number(text: string): number | null {
  if (!text.trim()) return null;
  const n = Number(text.replace(",", "."));
  return Number.isFinite(n) ? n : null;
}

/** (reading − reference) / reference × 100, rounded to 2 places as the server stores it; null until both are valid. */
export function deviationPercent(reference: string, reading: string): number | null {
  const ref = number(reference);
  const got = number(reading);
  if (ref === null || got === null || ref <= 0 || got < 0) return null;
  return Math.round(((got - ref) / ref) * 100 * 100) / 100;
}

export function withinTolerance(deviation: number, tolerance = TOLERANCE_PERCENT): boolean {
  return Math.abs(deviation) <= tolerance;
}

/** What stops the form from being sent, in field order (the server checks again). */
export function calibrationProblems(f: CalibrationForm, now: Date): CalibrationProblem[] {
  const out: CalibrationProblem[] = [];
  if (!f.detectorId) out.push("detectorMissing");
  const at = f.calibratedAt ? new Date(f.calibratedAt) : null;
  if (!at || Number.isNaN(at.getTime())) out.push("timeMissing");
  else if (at.getTime() > now.getTime() + 2 * 60_000) out.push("timeFuture");
  if (!f.referenceGas.trim()) out.push("gasMissing");
  const ref = number(f.referenceValue);
  if (ref === null || ref <= 0) out.push("referenceInvalid");
  const got = number(f.reading);
  if (got === null || got < 0) out.push("readingInvalid");
  if (!f.technician.trim()) out.push("technicianMissing");
  return out;
}

/** The POST /api/analytics/calibrations body: the local time as a UTC instant, numbers as numbers. */
export function calibrationBody(f: CalibrationForm): CalibrationBody {
  return {
    detector_id: f.detectorId,
    calibrated_at: new Date(f.calibratedAt).toISOString(),
    reference_gas: f.referenceGas.trim(),
    reference_value: number(f.referenceValue) ?? 0,
    reading: number(f.reading) ?? 0,
    unit: f.unit,
    technician: f.technician.trim(),
    note: f.note.trim(),
  };
}

/** `<input type="datetime-local">` value of an instant, in the device's zone. */
export function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

export function csvProblem(name: string, size: number): "notCsv" | "tooBig" | "empty" | null {
  if (!/\.(csv|txt)$/i.test(name)) return "notCsv";
  if (size === 0) return "empty";
  if (size > CSV_MAX_BYTES) return "tooBig";
  return null;
}

const FLAG_RANK: Record<string, number> = { out_of_tolerance: 0, overdue: 1, never_calibrated: 2, ok: 3 };

/** Flagged detectors first (out of tolerance, overdue, never calibrated), then by code. */
export function byFlag(list: readonly DetectorState[]): DetectorState[] {
  return [...list].sort((a, b) => FLAG_RANK[a.flag ?? "ok"] - FLAG_RANK[b.flag ?? "ok"] || a.code.localeCompare(b.code));
}

/** Overdue and out-of-tolerance detectors are left out of the live gas lock; never-calibrated ones are not. */
export function excludedFromLock(flag: Flag): boolean {
  return flag === "overdue" || flag === "out_of_tolerance";
}

export interface FindingForm {
  tag: TagCode | "";
  finding: string;
  fix: string;
}

export const FINDING_MAX = 600;

export function findingProblems(f: FindingForm): ("tagMissing" | "findingMissing" | "tooLong")[] {
  const out: ("tagMissing" | "findingMissing" | "tooLong")[] = [];
  if (!f.tag) out.push("tagMissing");
  if (!f.finding.trim()) out.push("findingMissing");
  if (f.finding.length > FINDING_MAX || f.fix.length > FINDING_MAX) out.push("tooLong");
  return out;
}

/** The finding form starts from the analysis: its suggested tag and its words in the UI's language. */
export function findingFromAnalysis(rc: { finding: Record<string, string>; suggested_tag: TagCode | null }, lang: string): FindingForm {
  return { tag: rc.suggested_tag ?? "", finding: rc.finding[lang] ?? rc.finding["zh-CN"] ?? "", fix: "" };
}
