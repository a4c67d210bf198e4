/** Permit endpoints (backend/permits/routes.py) and the wire types the pages read. */

import { api, type Api } from "../api";

export interface PersonRef {
  id: string;
  name: string;
  phone?: string | null;
}

export interface Slot {
  key: string;
  stage: number;
  role: string;
  status: string;
  on_site: boolean;
  gas_lock: boolean;
  assignee: PersonRef | null;
  handed_to: PersonRef | null;
  escalated_to: PersonRef | null;
  decided_by: PersonRef | null;
  decided_at: string | null;
  comment: string | null;
  mine: boolean;
}

export interface DetectorState {
  code: string;
  name: string;
  gas: string;
  limit_lel_percent: number;
  latest_lel_percent: number | null;
  latest_at: string | null;
  ok: boolean;
}

export interface LockState {
  locked: boolean;
  code: string;
  reason: string;
  window_minutes: number;
  detectors: DetectorState[];
  unlock_at?: string | null;
}

export interface Analysis {
  id: string;
  sampled_at: string;
  point: string;
  gas: string;
  result: number;
  unit: string;
  passed: boolean;
  verdict: string;
  analyst: PersonRef | null;
}

export interface Reason {
  clause: string;
  text: string;
}

export interface Permit {
  id: string;
  number: string;
  title: string;
  work_type: string;
  work_type_name: string;
  grade: string;
  grade_label: string;
  status: string;
  status_reason: string | null;
  area: { id: string; code: string; name: string; hazard_class: string };
  site_id: string;
  applicant: PersonRef;
  guardian: PersonRef | null;
  operators: PersonRef[];
  content: string;
  grading: { reasons?: Reason[]; gas_requirements?: Reason[]; validity_hours?: number };
  simops: { other_number: string; text: string; clause: string; action: string }[];
  planned_start: string;
  valid_until: string;
  revision: number;
  content_sha256: string;
  slots: Slot[];
  my_steps: string[];
  gas: LockState | null;
  analyses: Analysis[];
}

export interface PermitSummary {
  id: string;
  number: string;
  work_type_name: string;
  grade: string;
  grade_label: string;
  status: string;
  area_name: string;
  content: string;
  planned_start: string;
  my_steps: string[];
}

export interface WorkType {
  code: string;
  name: string;
  name_en: string;
  grades: string[];
  fields: { key: string; label: string; type: string; required: boolean }[];
}

export interface Candidate {
  id: string;
  name: string;
  unit_name: string;
}

export interface GradeResult {
  grade: string;
  grade_label: string;
  permit_required: boolean;
  reasons: Reason[];
  blockers: Reason[];
  validity_hours: number;
  approval_steps: { stage: number; role: string; gas_lock: boolean }[];
}

export interface Location {
  lat_e6: number;
  lon_e6: number;
  accuracy_m: number;
}

export interface EPermit {
  permit_id: string;
  number: string;
  title: string;
  grade_label: string;
  content: string;
  valid_from: string;
  valid_until: string;
  area: { name: string; code: string };
  plan: { url: string | null; width: number; height: number; area_polygon: number[][]; work_point: number[] };
  gps: number[] | null;
  risks: string[];
  gas_requirements: string[];
  contacts: { role: string; name: string; phone: string | null }[];
  emergency_phone: string;
  public_numbers: string[];
  escape_route: number[][];
  assembly_point: { label: string; x: number; y: number; distance_m: number } | null;
  nearest_extinguisher: { label: string; x: number; y: number; distance_m: number } | null;
}

export interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  permit_id: string | null;
  data: Partial<EPermit>;
  created_at: string;
  read_at: string | null;
}

export interface HistoryEntry {
  at: string;
  kind: string;
  text: string;
  actor: PersonRef | null;
}

export interface SignedOptions {
  canonical: string;
  challenge: string;
  options: { challenge: string; rpId?: string; allowCredentials?: { id: string; type: "public-key" }[] };
  permit_version: number;
  content_sha256: string;
}

const P = "/api/permits";

export const permitsApi = (client: Api = api) => ({
  request: <T,>(method: "GET" | "POST", path: string, body?: unknown) => client.request<T>(method, path, body),
  workTypes: () => client.request<WorkType[]>("GET", `${P}/work-types`),
  grade: (body: unknown) => client.request<GradeResult>("POST", `${P}/grade`, body),
  list: (mine?: string) => client.request<PermitSummary[]>("GET", `${P}/${mine ? `?mine=${mine}` : ""}`),
  candidates: (areaId: string) =>
    client.request<{ guardians: Candidate[]; operators: Candidate[] }>("GET", `${P}/candidates?area_id=${areaId}`),
  create: (body: unknown) => client.request<Permit>("POST", `${P}/`, body),
  get: (id: string) => client.request<Permit>("GET", `${P}/${id}`),
  history: (id: string) => client.request<HistoryEntry[]>("GET", `${P}/${id}/history`),
  epermit: (id: string) => client.request<EPermit>("GET", `${P}/${id}/epermit`),
  decisionOptions: (id: string, body: unknown) => client.request<SignedOptions>("POST", `${P}/${id}/decisions/options`, body),
  decide: (id: string, body: unknown) => client.request<Permit>("POST", `${P}/${id}/decisions`, body),
  action: (id: string, action: string, body: unknown = {}) => client.request<Permit>("POST", `${P}/${id}/${action}`, body),
  analysis: (id: string, body: unknown) => client.request<Permit>("POST", `${P}/${id}/gas-analyses`, body),
  notifications: () => client.request<Notice[]>("GET", `${P}/notifications`),
  sites: () => client.request<{ id: string; kind: string; name: string }[]>("GET", "/api/org/units"),
  siteMap: (siteId: string) =>
    client.request<{ areas: { id: string; code: string; name: string; hazard_class: string }[] }>(
      "GET",
      `/api/org/sites/${siteId}/map`,
    ),
});
