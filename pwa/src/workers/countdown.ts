/** The renewal countdown: how urgent a certificate is, and what the worker should do about it. */

import type { Certificate } from "./types";

/** ok → remind (T-90) → retrain (T-30) → due (last week) → lapsed; revoked stands apart. */
export type Urgency = "ok" | "remind" | "retrain" | "due" | "lapsed" | "revoked";

export function urgency(cert: Pick<Certificate, "days_left" | "status">): Urgency {
  if (cert.status === "revoked") return "revoked";
  if (cert.days_left < 0) return "lapsed";
  if (cert.days_left <= 7) return "due";
  if (cert.days_left <= 30) return "retrain";
  if (cert.days_left <= 90) return "remind";
  return "ok";
}

/** Most urgent first, then by deadline. */
export function byUrgency(certs: readonly Certificate[]): Certificate[] {
  const rank: Record<Urgency, number> = { revoked: 0, lapsed: 1, due: 2, retrain: 3, remind: 4, ok: 5 };
  return [...certs].sort((a, b) => rank[urgency(a)] - rank[urgency(b)] || a.deadline_on.localeCompare(b.deadline_on));
}

/** The guidance in the chosen language (the catalogue carries both). */
export function howToApply(cert: Pick<Certificate, "how_to_apply" | "how_to_apply_en">, lang: string): string {
  return lang === "en" && cert.how_to_apply_en ? cert.how_to_apply_en : cert.how_to_apply;
}

/** Share of the time to the deadline already used, for the bar (0 at issue, 100 at the deadline). */
export function elapsedPercent(cert: Pick<Certificate, "issued_on" | "deadline_on">, today: Date): number {
  const start = Date.parse(cert.issued_on);
  const end = Date.parse(cert.deadline_on);
  if (!(end > start)) return 100;
  return Math.max(0, Math.min(100, Math.round(((today.getTime() - start) / (end - start)) * 100)));
}
