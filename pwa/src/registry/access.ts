/** Which registry screens and buttons a person gets; the server checks again (a unit's scope). */

import type { Route } from "../router";
import { REGISTRY_OFFICERS, REGISTRY_VIEWERS } from "./types";

export function seesRegistry(roles: readonly string[]): boolean {
  return roles.some((r) => REGISTRY_VIEWERS.includes(r));
}

export function handlesFindings(roles: readonly string[]): boolean {
  return roles.some((r) => REGISTRY_OFFICERS.includes(r));
}

/** Where a history page leads back to: the registry page for its viewers, one's own certificates
 * for one's own history, else the ledger (the other way in). */
export function historyBack(me: { person_id: string; roles: readonly string[] }, personId: string): Route {
  if (seesRegistry(me.roles)) return { name: "registry" };
  if (me.person_id === personId) return { name: "certificates" };
  return { name: "ledger", view: "list" };
}
