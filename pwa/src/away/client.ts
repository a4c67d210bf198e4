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
}

export function awayClient(client: Api = api) {
  return {
    board: () => client.request<DeputyBoard>("GET", "/api/deputies/"),
    candidates: (role: string, scopeCode: string) => {
      const query = new URLSearchParams({ role, scope_code: scopeCode });
      return client.request<PersonBrief[]>("GET", `/api/deputies/candidates?${query}`);
    },
    addDeputy: (deputyId: string, grant: RoleScope) =>
      client.request<Deputy>("POST", "/api/deputies/", { deputy_id: deputyId, role: grant.role, scope_code: grant.scope_code }),
    removeDeputy: (id: string) => client.request<void>("DELETE", `/api/deputies/${id}`),
    absences: () => client.request<Absence[]>("GET", "/api/permits/absences/"),
    markAway: (body: AbsenceBody) => client.request<Absence>("POST", "/api/permits/absences/", body),
    endAbsence: (id: string) => client.request<Absence>("POST", `/api/permits/absences/${id}/end`),
  };
}

export const away = awayClient();
