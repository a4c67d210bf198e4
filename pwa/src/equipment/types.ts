/** Wire types of the equipment endpoints under /api/analytics (backend/analytics/schemas.py). */

export type Flag = "never_calibrated" | "overdue" | "out_of_tolerance" | null;
export type GasUnit = "lel" | "ppm" | "vol";

export interface DetectorState {
  detector_id: string;
  code: string;
  name: string;
  last_calibrated_at: string | null;
  last_deviation_percent: number | null;
  flag: Flag;
}

export interface Calibration {
  id: string;
  detector_id: string;
  detector_code: string;
  calibrated_at: string;
  reference_gas: string;
  reference_value: number;
  reading: number;
  unit: GasUnit;
  deviation_percent: number;
  within_tolerance: boolean;
  technician: string;
  note: string;
}

export interface CalibrationBody {
  detector_id: string;
  calibrated_at: string;
  reference_gas: string;
  reference_value: number;
  reading: number;
  unit: GasUnit;
  technician: string;
  note: string;
}

export type TagCode = "vibration_interference" | "electrical_interference" | "sensor_drift" | "genuine_leak" | "other";

export interface DetectorTag {
  id: string;
  detector_id: string;
  tag: TagCode;
  label: Record<string, string>;
  finding: string;
  fix: string;
  recorded_by: string;
  recorded_at: string;
}

export interface RootCause {
  detector_id: string;
  code: string;
  verdict: string;
  finding: Record<string, string>;
  suggested_tag: TagCode | null;
  windows: { start: string; end: string; days_with: number; days_total: number }[];
}

export interface AcceptanceCheck {
  key: string;
  label: Record<string, string>;
  value: number | null;
  limit: number;
  op: "le" | "ge";
  passed: boolean;
  text: Record<string, string>;
}

export interface Acceptance {
  detector_id: string;
  code: string;
  commissioned_at: string;
  window_end: string;
  verdict: "pass" | "fail" | "in_progress";
  reasons: Record<string, string>[];
  expected_samples: number;
  received_samples: number;
  completeness_percent: number;
  longest_gap_s: number;
  checks: AcceptanceCheck[];
}
