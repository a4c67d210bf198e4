/** Certificate-scan calls on top of the shared API client. */

import { api, type Api } from "../api";
import type { Scan, ScanConfirm } from "./types";

export function uploadScan(personId: string, photo: Blob, client: Api = api) {
  const params = new URLSearchParams({ person_id: personId });
  return client.send<Scan>("POST", `/api/media/scans/?${params}`, photo, photo.type || "image/jpeg");
}

export function getScan(id: string, client: Api = api) {
  return client.request<Scan>("GET", `/api/media/scans/${encodeURIComponent(id)}`);
}

export function pendingScans(client: Api = api) {
  return client.request<Scan[]>("GET", "/api/media/scans/?status=pending");
}

export function confirmScan(id: string, body: ScanConfirm, client: Api = api) {
  return client.request<Scan>("POST", `/api/media/scans/${encodeURIComponent(id)}/confirm`, body);
}

export function rejectScan(id: string, reason: string, client: Api = api) {
  return client.request<Scan>("POST", `/api/media/scans/${encodeURIComponent(id)}/reject`, { reason });
}
