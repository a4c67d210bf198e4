/** Which home tabs a person sees, and which of their grants belong on each tab. */

import type { Grant } from "./api";

export const TABS = ["worker", "guardian", "inspector", "manager"] as const;
export type Tab = (typeof TABS)[number];

/** Roles that see the "manager" tab; mirrors backend/auth/service.py home_tabs. */
export const MANAGER_ROLES: readonly string[] = [
  "team_leader",
  "safety_officer",
  "workshop_director",
  "vice_president",
  "hr",
  "admin",
];

/** Display order of roles: the people on site first, then the approval chain, then the back office. */
export const ROLE_ORDER: readonly string[] = ["worker", "guardian", "inspector", ...MANAGER_ROLES];

export function sortRoles(roles: readonly string[]): string[] {
  const rank = (role: string) => (ROLE_ORDER.includes(role) ? ROLE_ORDER.indexOf(role) : ROLE_ORDER.length);
  return [...roles].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function isTab(value: string): value is Tab {
  return (TABS as readonly string[]).includes(value);
}

export function rolesOfTab(tab: Tab): readonly string[] {
  return tab === "manager" ? MANAGER_ROLES : [tab];
}

/** Tabs derived from roles alone: used when an answer has no `home_tabs` (an older server). */
export function tabsForRoles(roles: readonly string[]): Tab[] {
  const tabs = TABS.filter((tab) => rolesOfTab(tab).some((role) => roles.includes(role)));
  return tabs.length ? tabs : ["worker"];
}

/** The server's `home_tabs`, in the fixed order, unknown values dropped; falls back to the roles. */
export function homeTabs(me: { home_tabs?: readonly string[] | null; roles: readonly string[] }): Tab[] {
  const fromServer = TABS.filter((tab) => me.home_tabs?.includes(tab));
  return fromServer.length ? fromServer : tabsForRoles(me.roles);
}

export function grantsOfTab(grants: readonly Grant[], tab: Tab): Grant[] {
  const roles = rolesOfTab(tab);
  return grants.filter((g) => roles.includes(g.role));
}

/** The tab to open: the remembered one if the person still has it, else the first. */
export function initialTab(tabs: readonly Tab[], remembered: string | null): Tab {
  return tabs.find((tab) => tab === remembered) ?? tabs[0] ?? "worker";
}
