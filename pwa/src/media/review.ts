/** The review screen's rules: which fields to show, in what order, and the confirm payload. */

import type { Scan, ScanConfirm } from "./types";

export const FIELD_ORDER = [
  "family",
  "name",
  "id_number",
  "number",
  "item_key",
  "category",
  "authority",
  "first_issued_on",
  "valid_from",
  "valid_until",
  "reviewed_on",
] as const;

export type FieldName = (typeof FIELD_ORDER)[number];
export const LOW_CONFIDENCE = 0.8;

export function confidencePercent(confidence: number): number {
  return Math.round(Math.max(0, Math.min(1, confidence)) * 100);
}

/** Fields present on the scan, in reading order. */
export function shownFields(scan: Scan): FieldName[] {
  return FIELD_ORDER.filter((name) => name in scan.fields);
}

/** The form's starting values: what OCR read (masked numbers go back as they are: "as read"). */
export function draft(scan: Scan): ScanConfirm {
  const v = (name: string) => scan.fields[name]?.value ?? "";
  return {
    item_key: v("item_key"),
    number: v("number"),
    issued_on: v("valid_from"),
    valid_until: v("valid_until") || null,
    issuing_authority: v("authority"),
    first_issued_on: v("first_issued_on") || null,
  };
}

/** Message-key suffix for a problem with the draft, or null when it can be sent. */
export function draftProblem(d: ScanConfirm): "item" | "number" | "issued" | null {
  if (!d.item_key) return "item";
  if (!d.number.trim()) return "number";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.issued_on)) return "issued";
  return null;
}

const RANK = { red: 0, amber: 1, info: 2, ok: 3 } as const;

/** Red first, then amber, then notes, then passed checks. */
export function sortChecks<T extends { level: keyof typeof RANK }>(checks: T[]): T[] {
  return [...checks].sort((a, b) => RANK[a.level] - RANK[b.level]);
}
