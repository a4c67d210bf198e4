/** Wire types of the alarm API (backend/alarms/schemas.py, backend/devices/schemas.py). */

export type AlarmState = "raised" | "notified" | "acknowledged" | "resolved";

export interface Recipient {
  person_id: string;
  name: string;
  role: string;
  level: number;
  devices: number;
  stands_in_for?: string | null; // B角: reached instead of this person, who is marked away
  stands_in_for_name?: string | null;
}

export interface Alarm {
  id: string;
  kind: string;
  tier: number;
  labels: { title?: Record<string, string>; kind?: Record<string, string> };
  state: AlarmState;
  level: number;
  source: string;
  site_id: string;
  site_name: string;
  area_id: string | null;
  area_name: string | null;
  x: number | null;
  y: number | null;
  subject_name: string | null;
  message: string;
  has_image: boolean;
  received_at: string;
  notified_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by_name: string | null;
  response_seconds: number | null;
  assigned_to: string | null;
  assigned_name: string | null;
  resolved_at: string | null;
  resolution: string;
  version: number;
  recipients: Recipient[];
}

export interface DeviceStatus {
  device_id: string;
  name: string;
  kind: string;
  person_name: string | null;
  x: number | null;
  y: number | null;
  heart_rate: number | null;
  body_temp_c: number | null;
  ambient_temp_c: number | null;
  humidity_pct: number | null;
  battery_pct: number | null;
  health: "ok" | "degraded" | "fault";
  online: boolean;
  components: { name: string; kind: string; health: string; detail: string }[];
  reported_at: string;
}

export interface TierKpi {
  tier: number;
  raised: number;
  acknowledged: number;
  within_target: number;
  target_seconds: number;
  p50_seconds: number | null;
  p95_seconds: number | null;
}

export interface SiteMap {
  site: { id: string; name: string; code: string };
  plan_url: string | null;
  width: number;
  height: number;
  areas: { id: string; code: string; name: string; plan_polygon: number[][] }[];
}

export interface Board {
  site: SiteMap;
  alarms: Alarm[];
  devices: DeviceStatus[];
  kpi: { tiers: TierKpi[] };
  people: { id: string; name: string; roles: string[] }[];
}

export interface Site {
  id: string;
  name: string;
  code: string;
}

export interface IngestAnswer {
  alarm_id: string;
  tier: number;
  state: AlarmState;
  duplicate: boolean;
  recipients: number;
}
