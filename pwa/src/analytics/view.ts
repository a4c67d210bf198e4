/** Pure helpers of the analytics page: query strings, value formatting, trend sparklines. */

import type { Filters, Indicator } from "./types";

export const FAMILIES = ["people", "process", "equipment", "environment", "response"] as const;
export const PERIODS = [7, 30, 90, 365] as const;

/** The period ends now and starts at the UTC midnight `days` back (whole days: the server reads
 * those from its per-day rollups and only today live); `since`/`until` are UTC instants. */
export function queryOf(f: Filters, now: Date): string {
  const until = new Date(now.getTime());
  const since = new Date(now.getTime() - f.days * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const q = new URLSearchParams({ unit_id: f.unitId, since: since.toISOString(), until: until.toISOString() });
  if (f.trade) q.set("trade", f.trade);
  if (f.personId) q.set("person_id", f.personId);
  return q.toString();
}

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return "—";
  if (unit === "%") return `${value.toFixed(value % 1 ? 2 : 0)} %`;
  if (unit === "count") return String(Math.round(value));
  return `${value} ${unit}`;
}

export function thresholdText(ind: Pick<Indicator, "op" | "target" | "unit">): string {
  return `${ind.op === "le" ? "≤" : "≥"} ${formatValue(ind.target, ind.unit)}`;
}

/** SVG polyline points for the trend (gaps where a bucket had no data are skipped). */
export function sparkline(values: readonly (number | null)[], width: number, height: number): string {
  const known = values.filter((v): v is number => v !== null);
  if (!known.length) return "";
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const span = hi - lo || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => (v === null ? null : `${(i * step).toFixed(1)},${(height - ((v - lo) / span) * height).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
}
