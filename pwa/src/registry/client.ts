/** Registry-check calls on top of the shared API client. */

import { api, type Api } from "../api";
import type { Finding, Findings, FindingStatus, History, LastRun } from "./types";

export const EXPORT_URL = "/api/registry/export.xlsx";

export function lastRun(client: Api = api) {
  return client.request<LastRun>("GET", "/api/registry/runs/last");
}

/** Findings in the caller's units, newest first; `null` is every status. */
export function findings(status: FindingStatus | null, client: Api = api) {
  const query = status ? `?${new URLSearchParams({ status })}` : "";
  return client.request<Findings>("GET", `/api/registry/findings${query}`);
}

export function acknowledge(id: string, note: string, client: Api = api) {
  const body = note.trim() ? { note: note.trim() } : {};
  return client.request<Finding>("POST", `/api/registry/findings/${encodeURIComponent(id)}/acknowledge`, body);
}

export function resolve(id: string, note: string, client: Api = api) {
  return client.request<Finding>("POST", `/api/registry/findings/${encodeURIComponent(id)}/resolve`, { note: note.trim() });
}

export function personHistory(personId: string, client: Api = api) {
  return client.request<History>("GET", `/api/registry/people/${encodeURIComponent(personId)}/history`);
}
