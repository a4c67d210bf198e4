// What the badge pages keep on the phone (IndexedDB, per signed-in person): the worker's latest
// dynamic code, and the inspector's site bundle with the pinned trust-list root key.
import { openDB, type IDBPDatabase } from "idb";

import { api } from "../api";
import type { CertWire, Synced } from "./verify";
import { loadTrustList } from "./verify";

export interface CachedCode {
  text: string;
  kid: string;
  issued_at: string;
  expires_at: string;
  server_time: string;
  fetched_at: number; // device ms
}

export interface WorkType {
  code: string;
  name: string;
  name_en: string;
  roles: Record<string, string[][]>;
}

/** A permit in force on the inspector's site (approved, active or suspended), for the pick. */
export interface SitePermit {
  id: string;
  number: string;
  work_type: string;
  grade: string;
  status: string;
  area_code: string;
  area_name: string;
  valid_until: number; // epoch seconds
  people: Record<string, string[]>; // person id → permit roles
  needs: Record<string, string[][]>; // role → each needed certificate as the items that cover it
}

export interface SiteBundle {
  root: string;
  trust_list: string;
  synced: Synced & { workers: { w: string; n: string; m?: string; p?: string; v?: number; c?: CertWire[] }[] };
  photos: Record<string, string>;
  work_types: WorkType[];
  permits?: SitePermit[]; // absent in bundles kept before permits were synced
  fetched_at: number;
}

/** A cached code is renewed when online if older than an hour or within 12 h of expiry. */
export const REFRESH_AFTER_MS = 3600_000;
export const RENEW_BEFORE_EXPIRY_MS = 12 * 3600_000;

const dbs = new Map<string, Promise<IDBPDatabase>>();

function db(personId: string): Promise<IDBPDatabase> {
  let found = dbs.get(personId);
  if (!found) {
    found = openDB(`tezuo-badges-${personId}`, 1, {
      upgrade(d) {
        d.createObjectStore("kv");
      },
    });
    dbs.set(personId, found);
  }
  return found;
}

export async function loadCode(personId: string): Promise<CachedCode | null> {
  return ((await (await db(personId)).get("kv", "code")) as CachedCode | undefined) ?? null;
}

export function needsRefresh(code: CachedCode | null, nowMs: number): boolean {
  if (!code) return true;
  return nowMs - code.fetched_at > REFRESH_AFTER_MS || Date.parse(code.expires_at) - nowMs < RENEW_BEFORE_EXPIRY_MS;
}

export async function fetchCode(personId: string, nowMs = Date.now()): Promise<CachedCode> {
  const fresh = await api.request<Omit<CachedCode, "fetched_at">>("GET", "/api/badges/me/code");
  const code = { ...fresh, fetched_at: nowMs };
  await (await db(personId)).put("kv", code, "code");
  return code;
}

export async function loadSite(personId: string): Promise<SiteBundle | null> {
  return ((await (await db(personId)).get("kv", "site")) as SiteBundle | undefined) ?? null;
}

export const b64bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

export class RootChanged extends Error {}

/** Download the site bundle; its trust list must verify with the root pinned at the first sync. */
export async function syncSite(personId: string, nowMs = Date.now()): Promise<SiteBundle> {
  const fresh = await api.request<Omit<SiteBundle, "fetched_at">>("GET", "/api/badges/site");
  const store = await db(personId);
  const pinned = (await store.get("kv", "root")) as string | undefined;
  if (pinned && pinned !== fresh.root) throw new RootChanged("trust-list root key changed");
  await loadTrustList(b64bytes(fresh.trust_list), b64bytes(fresh.root)); // refuse a bad list before keeping it
  const bundle = { ...fresh, fetched_at: nowMs };
  const tx = store.transaction("kv", "readwrite");
  await Promise.all([tx.store.put(bundle, "site"), tx.store.put(fresh.root, "root"), tx.done]);
  return bundle;
}
