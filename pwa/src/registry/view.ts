/** What the registry page shows, worked out from the wire shapes: ours-vs-registry rows with the
 * differences marked, the last run's outcomes in a fixed order, and a person's checks per certificate. */

import { type Check, type FindingDetail, type LastRun, OUTCOMES, type RegistrySide } from "./types";

export type Field = "holder_name" | "item" | "status" | "valid_until" | "issued_on" | "reviewed_on" | "issuing_authority";

export interface CompareRow {
  field: Field;
  ours: string | null;
  registry: string | null;
  differs: boolean;
}

/** Names compared as backend/registry/compare.py `same_name` does: NFKC, no spaces or middle dots. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize("NFKC").replace(/[ ·•]/g, "");
  return norm(a) === norm(b);
}

/** Our ledger's status in the registry's words: usable → valid, lapsed → expired. */
export function registryWordFor(ours: string): string {
  if (ours === "valid" || ours === "review_due") return "valid";
  if (ours === "revoked") return "revoked";
  return "expired";
}

const WORDS = ["valid", "expired", "revoked"] as const;

/** A registry status as a catalogue key, or null for a word we do not know (shown as is). */
export function statusWordKey(status: string | null | undefined): `registry.word.${(typeof WORDS)[number]}` | null {
  return WORDS.find((w) => w === status) ? `registry.word.${status as (typeof WORDS)[number]}` : null;
}

export function registryFound(side: RegistrySide | undefined): boolean {
  return Boolean(side?.found);
}

function latest(dates: readonly string[] | undefined): string | null {
  return dates?.length ? [...dates].sort().at(-1)! : null;
}

/** One row per compared field. A registry without a record leaves its column empty and marks no
 * row (the page says "no record" instead); otherwise a row differs when the two sides disagree. */
export function comparison(detail: FindingDetail): CompareRow[] {
  const ours = detail.ours;
  const theirs = detail.registry ?? {};
  if (!ours) return [];
  const found = registryFound(theirs);
  const row = (field: Field, mine: string | null, reg: string | null | undefined, same = (a: string, b: string) => a === b): CompareRow => {
    const registry = found ? (reg ?? null) : null;
    let differs = false;
    if (found && mine !== null && registry !== null) differs = !same(mine, registry);
    else if (found) differs = (mine ?? "") !== (registry ?? "");
    return { field, ours: mine, registry, differs };
  };
  return [
    row("holder_name", ours.holder_name, theirs.holder_name, sameName),
    row("item", ours.item_code, theirs.item_code),
    row("status", registryWordFor(ours.status), theirs.status),
    row("valid_until", ours.valid_until, theirs.valid_until),
    row("issued_on", ours.issued_on, theirs.issued_on),
    row("reviewed_on", ours.last_reviewed_on, latest(theirs.review_dates)),
    row("issuing_authority", ours.issuing_authority, theirs.issuing_authority),
  ];
}

export interface OutcomeCount {
  outcome: string;
  count: number;
}

/** The run's outcomes, known ones in their fixed order, then any the server added; zeros left out. */
export function outcomeCounts(last: LastRun): OutcomeCount[] {
  const counts = last.outcomes ?? {};
  const known: readonly string[] = OUTCOMES;
  const order = [...known, ...Object.keys(counts).filter((k) => !known.includes(k)).sort()];
  return order.filter((outcome) => (counts[outcome] ?? 0) > 0).map((outcome) => ({ outcome, count: counts[outcome]! }));
}

/** Share of the run's certificates with an outcome, 0–100 (a run with nothing to check is done). */
export function runPercent(last: LastRun): number {
  const run = last.run;
  if (!run || run.total <= 0) return 100;
  return Math.min(100, Math.round((run.checked / run.total) * 100));
}

export interface CertificateHistory {
  certificateId: string;
  itemKey: string;
  checks: Check[]; // newest first
}

/** A person's checks grouped by certificate, the certificate checked most recently first. */
export function byCertificate(checks: readonly Check[]): CertificateHistory[] {
  const groups = new Map<string, CertificateHistory>();
  const sorted = [...checks].sort((a, b) => b.checked_at.localeCompare(a.checked_at));
  for (const check of sorted) {
    const group = groups.get(check.certificate_id) ?? { certificateId: check.certificate_id, itemKey: check.item_key, checks: [] };
    group.checks.push(check);
    groups.set(check.certificate_id, group);
  }
  return [...groups.values()];
}
