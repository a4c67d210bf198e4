/** Wire types of /api/analytics (backend/analytics/schemas.py). */

export type Status = "ok" | "breach" | "no_data";
export type By = "unit" | "trade" | "person";

export interface TrendPoint {
  start: string;
  end: string;
  value: number | null;
}

export interface Indicator {
  key: string;
  family: string;
  label: Record<string, string>;
  unit: string;
  op: "le" | "ge";
  target: number;
  value: number | null;
  status: Status;
  numerator: number | null;
  denominator: number | null;
  trend: TrendPoint[];
}

export interface UnitRef {
  id: string;
  kind: string;
  code: string;
  name: string;
  path: string;
}

export interface Dashboard {
  unit: UnitRef;
  since: string;
  until: string;
  bucket_days: number;
  trade: string | null;
  person_id: string | null;
  indicators: Indicator[];
  children: UnitRef[];
  trades: string[];
}

export interface Group {
  key: string;
  label: string;
  value: number | null;
  status: Status;
  numerator: number | null;
  denominator: number | null;
  unit_id?: string | null;
  person_id?: string | null;
}

export interface RecordRef {
  kind: string;
  id: string;
  at: string | null;
  label: string;
  value: number | null;
  flagged: boolean;
}

export interface IndicatorDetail {
  indicator: Indicator;
  by: By;
  groups: Group[];
  records: RecordRef[];
  records_total: number;
}

export interface Filters {
  unitId: string;
  days: number;
  trade: string | null;
  personId: string | null;
}
