/** Pure rules of the 外出与B角 page: who sees it, which B角 belong to which grant, the away form. */

import type { Grant } from "../api";
import { localInput } from "../equipment/logic";
import type { AbsenceBody, Deputy, PersonBrief, RoleScope } from "./client";

/** Roles a B角 can stand in for; mirrors backend/people/roles.py DEPUTISABLE. */
export const DEPUTISABLE: readonly string[] = [
  "guardian",
  "inspector",
  "team_leader",
  "safety_officer",
  "workshop_director",
  "vice_president",
];

/** Who names someone else's B角 and marks them away; mirrors backend/people/roles.py STAND_IN_MANAGERS. */
export const STAND_IN_MANAGERS: readonly string[] = ["admin", "workshop_director", "vice_president", "hr"];

const REASON_MAX = 200;

export function seesAwayPage(roles: readonly string[]): boolean {
  return roles.some((role) => DEPUTISABLE.includes(role) || STAND_IN_MANAGERS.includes(role));
}

/** The "on behalf of" picker: only for a manager. */
export function actsForOthers(roles: readonly string[]): boolean {
  return roles.some((role) => STAND_IN_MANAGERS.includes(role));
}

/** The server's check_may_manage (backend/people/deputies.py): a manager's grant over the person's unit. */
export function mayActFor(grants: readonly Grant[], unitPath: string): boolean {
  return grants.some((g) => STAND_IN_MANAGERS.includes(g.role) && unitPath.startsWith(g.scope_path));
}

/** Whom the picker offers: people under one of my manager grants, not me, whose name holds the text. */
export function pickable<P extends { id: string; name: string; unit_path: string }>(
  people: readonly P[],
  grants: readonly Grant[],
  meId: string,
  text: string,
): P[] {
  const wanted = text.trim().toLowerCase();
  return people.filter(
    (p) => p.id !== meId && mayActFor(grants, p.unit_path) && (!wanted || p.name.toLowerCase().includes(wanted)),
  );
}

/** The designations of one grant: same role, same unit. */
export function deputiesOf(deputies: readonly Deputy[], grant: RoleScope): Deputy[] {
  return deputies.filter((d) => d.role === grant.role && d.scope.scope_id === grant.scope_id);
}

/** People still worth offering for a grant: not already its B角. */
export function offerable(candidates: readonly PersonBrief[], named: readonly Deputy[]): PersonBrief[] {
  const taken = new Set(named.map((d) => d.deputy.id));
  return candidates.filter((c) => !taken.has(c.id));
}

export interface AwayForm {
  start: string; // <input type="datetime-local">: local wall time, no zone
  end: string;
  reason: string;
}

export type AwayProblem = "timesMissing" | "endBeforeStart" | "endPast" | "reasonTooLong";

/** From now until the same time tomorrow: a one-day trip is the usual case. */
export function defaultAway(now: Date): AwayForm {
  return { start: localInput(now), end: localInput(new Date(now.getTime() + 24 * 3600_000)), reason: "" };
}

/** What the server would refuse (backend/permits/absences.py register_absence), said before sending. */
export function awayProblem(form: AwayForm, now: Date): AwayProblem | null {
  const start = new Date(form.start);
  const end = new Date(form.end);
  if (!form.start || !form.end || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return "timesMissing";
  if (end <= start) return "endBeforeStart";
  if (end <= now) return "endPast";
  if (form.reason.trim().length > REASON_MAX) return "reasonTooLong";
  return null;
}

export function awayBody(form: AwayForm): AbsenceBody {
  return { starts_at: new Date(form.start).toISOString(), ends_at: new Date(form.end).toISOString(), reason: form.reason.trim() };
}
