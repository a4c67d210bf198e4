/** Wire types of the qualification API (backend/workers/schemas.py, backend/ledger/schemas.py). */

export type CertStatus = "valid" | "review_due" | "expired" | "shadow" | "revoked";
export const STATUSES: readonly CertStatus[] = ["valid", "review_due", "expired", "shadow", "revoked"];
export const FAMILIES = ["mem", "mohurd", "samr"] as const;

export interface PersonBrief {
  id: string;
  name: string;
  id_number_masked: string;
  unit_path: string;
  unit_name: string;
  workshop_name: string;
  contractor_id: string | null;
  contractor_name: string | null;
  employment: string;
}

export interface Certificate {
  id: string;
  person_id: string;
  family: string;
  family_name: string;
  item_key: string;
  item_name: string;
  category_name: string;
  item_limit: string | null;
  number: string;
  issuing_authority: string;
  issued_on: string;
  valid_until: string;
  review_due_on: string | null;
  deadline_on: string;
  deadline_kind: "review" | "renewal" | "extension";
  window_opens_on: string;
  apply_by: string;
  days_left: number;
  status: CertStatus;
  lapse: string | null;
  frozen: boolean;
  how_to_apply: string;
  how_to_apply_en: string;
  where_to_apply: string;
  query_site: string;
}

export interface Freeze {
  id: string;
  reason: string;
  item_key: string | null;
  frozen_at: string;
}

export interface WorkerFile {
  person: PersonBrief;
  frozen: boolean;
  freezes: Freeze[];
  certificates: Certificate[];
}

export interface LedgerRow {
  person: PersonBrief;
  certificate: Certificate;
}

export interface LedgerPage {
  items: LedgerRow[];
  total: number;
  offset: number;
  limit: number;
  by_status: Record<string, number>;
}

export interface Shadow {
  person: PersonBrief;
  item_key: string;
  item_name: string;
  reason: string;
  deadline_on: string | null;
  days_lapsed: number | null;
}

export interface CatalogItem {
  key: string;
  name: string;
}

export interface Catalog {
  families: { code: string; name: string; categories: { name: string; items: CatalogItem[] }[] }[];
}

export interface Unit {
  id: string;
  kind: string;
  code: string;
  name: string;
  path: string;
}

export interface Contractor {
  id: string;
  name: string;
  workers: number;
}

export interface RowError {
  row: number;
  code: string;
  message: string;
  field: string | null;
}

export interface Merge {
  id_number_masked: string;
  rows: number[];
  names: string[];
  kept_name: string;
}

export interface LedgerImport {
  id: string;
  filename: string;
  status: "queued" | "running" | "done" | "rejected" | "failed" | "interrupted";
  progress: { phase: string; done: number; total: number; percent: number } | null;
  summary: Record<string, number | boolean | Record<string, number>>;
  report: { errors?: RowError[]; warnings?: RowError[]; merges?: Merge[] };
  error: string | null;
}
