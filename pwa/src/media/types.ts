/** Wire types of backend/media/schemas.py. */

/** "info": a note that neither passes nor fails (e.g. the registry was not asked). */
export type Level = "ok" | "info" | "amber" | "red";
export type Verdict = "green" | "amber" | "red";

export interface ScanField {
  value: string;
  confidence: number;
  raw: string;
}

export interface ScanCheck {
  code: string;
  level: Level;
  reason: string;
}

export interface Scan {
  id: string;
  person_id: string;
  status: "pending" | "confirmed" | "rejected";
  verdict: Verdict;
  family: string | null;
  fields: Record<string, ScanField>;
  checks: ScanCheck[];
  ocr_seconds: number;
  created_at: string;
  certificate_id: string | null;
  corrections: Record<string, unknown>;
}

/** `POST /api/media/scans/{id}/confirm` (ScanConfirm). */
export interface ScanConfirm {
  item_key: string;
  number: string;
  issued_on: string;
  valid_until: string | null;
  issuing_authority: string;
  first_issued_on: string | null;
}
