/** The manager's ledger filters and the query string they become. */

import type { CertStatus } from "./types";

export interface LedgerFilters {
  status: CertStatus | "";
  family: string;
  item: string;
  unitPath: string;
  contractorId: string;
  expiringWithin: string; // days, as typed
  q: string;
}

export const NO_FILTERS: LedgerFilters = {
  status: "",
  family: "",
  item: "",
  unitPath: "",
  contractorId: "",
  expiringWithin: "",
  q: "",
};

export function ledgerParams(f: LedgerFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (f.status) params.append("status", f.status);
  if (f.family) params.set("family", f.family);
  if (f.item) params.set("item", f.item);
  if (f.unitPath) params.set("unit_path", f.unitPath);
  if (f.contractorId) params.set("contractor_id", f.contractorId);
  const days = Number.parseInt(f.expiringWithin, 10);
  if (Number.isFinite(days) && days >= 0) params.set("expiring_within", String(Math.min(days, 3650)));
  if (f.q.trim()) params.set("q", f.q.trim());
  return params;
}

/** How many filters are set (the "clear" button shows when there are any). */
export function activeFilters(f: LedgerFilters): number {
  return Object.entries(f).filter(([, v]) => v !== "").length;
}
