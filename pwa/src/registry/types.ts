/** Wire types of the registry-check API (backend/registry/schemas.py). */

export const OUTCOMES = [
  "match",
  "not_found",
  "revoked",
  "expired",
  "wrong_item",
  "name_mismatch",
  "dates_mismatch",
  "renewed",
  "error",
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const FINDING_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
export type FindingKind = "shadow_operator" | "mismatch" | "stale_ledger";
export type FindingAction = "frozen" | "ledger_updated" | "none";
/** Who sees runs and findings (backend/registry/routes.py VIEWERS). */
export const REGISTRY_VIEWERS: readonly string[] = ["safety_officer", "admin", "hr"];
/** Who acknowledges and resolves findings (backend/registry/service.py OFFICERS). */
export const REGISTRY_OFFICERS: readonly string[] = ["safety_officer", "admin"];

export interface Run {
  id: string;
  day: string;
  trigger: string;
  status: "running" | "completed" | "completed_with_errors" | "not_configured";
  started_at: string;
  finished_at: string | null;
  total: number;
  checked: number;
  matched: number;
  discrepancies: number;
  errors: number;
  resumes: number;
  requests: number;
}

export interface LastRun {
  run: Run | null;
  configured: boolean;
  outcomes?: Record<string, number>; // absent from an older server
}

/** Our ledger's side of a finding (backend/registry/actions_part.py `_detail`). */
export interface OurSide {
  holder_name: string;
  item_code: string;
  status: string;
  valid_until: string;
  issued_on: string;
  last_reviewed_on: string | null;
  issuing_authority: string;
}

/** The registry's answer; `found: false` (or an empty object) leaves the rest out. */
export interface RegistrySide {
  found?: boolean;
  holder_name?: string;
  item_code?: string;
  item_name?: string;
  status?: string;
  valid_until?: string | null;
  issued_on?: string | null;
  issuing_authority?: string;
  review_dates?: string[];
  next_review_due?: string | null;
}

export interface FindingDetail {
  ours?: OurSide;
  registry?: RegistrySide;
  update_refused?: { code: string; detail: string };
}

export interface Finding {
  id: string;
  person_id: string;
  person_name: string;
  certificate_id: string;
  item_key: string;
  number_masked: string;
  kind: FindingKind;
  code: Outcome;
  action: FindingAction;
  status: FindingStatus;
  detail: FindingDetail;
  opened_at: string;
  last_seen_at: string;
  seen: number;
  acknowledged_at: string | null;
  resolved_at: string | null;
  note: string;
}

export interface Findings {
  items: Finding[];
  counts: Partial<Record<FindingStatus, number>>;
}

export interface Check {
  id: string;
  run_id: string;
  certificate_id: string;
  item_key: string;
  outcome: Outcome;
  answer: RegistrySide;
  error: string | null;
  checked_at: string;
}

export interface History {
  person_id: string;
  person_name: string;
  checks: Check[];
}
