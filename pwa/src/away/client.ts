/** The B角 and absence endpoints (backend/people/deputy_routes.py, backend/permits/absence_routes.py). */

import { api, type Api } from "../api";

export interface PersonBrief {
  id: string;
  name: string;
  unit_path: string;
  holds_role?: boolean; // candidates only: holds the same role over the unit
}

/** A grant someone can have a B角 for (backend/people/schemas.py RoleScope). */
export interface RoleScope {
  role: string;
  scope_id: string;
  scope_code: string;
  scope_name: string;
  scope_path: string;
}

export interface Deputy {
  id: string;
  principal: PersonBrief;
  deputy: PersonBrief;
  role: string;
  scope: RoleScope;
  active_from: string | null;
  active_until: string | null;
  in_force: boolean;
}

export interface DeputyBoard {
  person: PersonBrief;
  roles: RoleScope[];
  deputies: Deputy[];
  deputising_for: Deputy[];
}

export type AbsenceState = "upcoming" | "current" | "ended" | "cancelled";

export interface Absence {
  id: string;
  person_id: string;
  person_name: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  state: AbsenceState;
}

export interface AbsenceBody {
  starts_at: string;
  ends_at: string;
  reason: string;
  person_id?: string; // default: the caller
}

/** One row of `GET /api/people/` (backend/people/schemas.py PersonOut), as far as the picker needs it. */
export interface PersonRow {
  id: string;
  name: string;
  unit_path: string;
  roles: string[];
}

interface PersonPage {
  items: PersonRow[];
  total: number;
}

/** `?person_id=` when acting for someone else; nothing for myself. */
function whose(personId: string | null): Record<string, string> {
  return personId ? { person_id: personId } : {};
}

export function awayClient(client: Api = api) {
  return {
    /** `personId` null: mine; otherwise that person's (the server checks I may manage them). */
    board: (personId: string | null) =>
      client.request<DeputyBoard>("GET", `/api/deputies/?${new URLSearchParams(whose(personId))}`),
    candidates: (role: string, scopeCode: string, personId: string | null) => {
      const query = new URLSearchParams({ role, scope_code: scopeCode, ...whose(personId) });
      return client.request<PersonBrief[]>("GET", `/api/deputies/candidates?${query}`);
    },
    addDeputy: (deputyId: string, grant: RoleScope, personId: string | null) =>
      client.request<Deputy>("POST", "/api/deputies/", {
        deputy_id: deputyId,
        role: grant.role,
        scope_code: grant.scope_code,
        ...(personId ? { principal_id: personId } : {}),
      }),
    removeDeputy: (id: string) => client.request<void>("DELETE", `/api/deputies/${id}`),
    absences: (personId: string | null) =>
      client.request<Absence[]>("GET", `/api/permits/absences/?${new URLSearchParams(whose(personId))}`),
    markAway: (body: AbsenceBody, personId: string | null) =>
      client.request<Absence>("POST", "/api/permits/absences/", { ...body, ...whose(personId) }),
    /** People in my scope whose name holds `q` (the "on behalf of" picker). */
    people: (q: string) => {
      const query = new URLSearchParams({ q, limit: "50" });
      return client.request<PersonPage>("GET", `/api/people/?${query}`);
    },
    endAbsence: (id: string) => client.request<Absence>("POST", `/api/permits/absences/${id}/end`),
  };
}

export const away = awayClient();
