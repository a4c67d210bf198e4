/** Qualification calls on top of the shared API client. */

import { api, type Api } from "../api";
import { type LedgerFilters, ledgerParams } from "./filters";
import type { Catalog, Contractor, LedgerImport, LedgerPage, Shadow, Unit, WorkerFile } from "./types";

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function myFile(client: Api = api) {
  return client.request<WorkerFile>("GET", "/api/workers/me");
}

export function ledger(filters: LedgerFilters, offset = 0, client: Api = api) {
  const params = ledgerParams(filters);
  params.set("offset", String(offset));
  return client.request<LedgerPage>("GET", `/api/qualifications/ledger?${params}`);
}

export function shadows(client: Api = api) {
  return client.request<Shadow[]>("GET", "/api/qualifications/shadow");
}

export function catalog(client: Api = api) {
  return client.request<Catalog>("GET", "/api/catalog/");
}

export function units(client: Api = api) {
  return client.request<Unit[]>("GET", "/api/org/units");
}

export function contractors(client: Api = api) {
  return client.request<Contractor[]>("GET", "/api/contractors/");
}

export function exportUrl(filters: LedgerFilters): string {
  return `/api/ledger/export.xlsx?${ledgerParams(filters)}`;
}

export function uploadLedger(file: Blob, name: string, strict: boolean, unit: string, client: Api = api) {
  const params = new URLSearchParams({ filename: name, strict: String(strict) });
  if (unit) params.set("unit", unit);
  return client.send<LedgerImport>("POST", `/api/ledger/imports?${params}`, file, XLSX_TYPE);
}

export function importStatus(id: string, client: Api = api) {
  return client.request<LedgerImport>("GET", `/api/ledger/imports/${encodeURIComponent(id)}`);
}
