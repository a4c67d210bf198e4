/** The equipment endpoints (detectors, calibrations, root cause, tags, acceptance) on the shared API client. */

import { api, type Api } from "../api";
import type { Acceptance, Calibration, CalibrationBody, DetectorState, DetectorTag, RootCause, TagCode } from "./types";

const base = "/api/analytics";

export function equipmentClient(client: Api = api) {
  return {
    detectors: (unitId: string) => client.request<DetectorState[]>("GET", `${base}/detectors?unit_id=${encodeURIComponent(unitId)}`),
    calibrations: (id: string) => client.request<Calibration[]>("GET", `${base}/detectors/${id}/calibrations?limit=20`),
    record: (body: CalibrationBody) => client.request<Calibration>("POST", `${base}/calibrations`, body),
    importCsv: (file: Blob) => client.send<{ imported: number }>("POST", `${base}/calibrations/import`, file, "text/csv"),
    rootCause: (id: string, days: number) => client.request<RootCause>("GET", `${base}/detectors/${id}/root-cause?days=${days}`),
    evidenceHref: (id: string, days: number) => `${base}/detectors/${id}/root-cause.png?days=${days}`,
    tags: (id: string) => client.request<DetectorTag[]>("GET", `${base}/detectors/${id}/tags`),
    addTag: (id: string, body: { tag: TagCode; finding: string; fix: string }) =>
      client.request<DetectorTag>("POST", `${base}/detectors/${id}/tags`, body),
    acceptance: (id: string) => client.request<Acceptance>("GET", `${base}/detectors/${id}/acceptance`),
    acceptancePdfHref: (id: string) => `${base}/detectors/${id}/acceptance.pdf`,
  };
}

export const equipment = equipmentClient();
