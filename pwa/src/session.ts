/** The last `/api/auth/me` answer, kept so that the home still opens offline. */

import type { Me } from "./api";
import { safeStorage, type KeyValueStorage } from "./store";

const ME_KEY = "tezuo.me.v1";

export interface SavedMe {
  me: Me;
  savedAt: string; // ISO time of the server answer, shown as "updated at" when offline
}

function looksLikeMe(value: unknown): value is Me {
  const me = value as Partial<Me> | null;
  return (
    !!me &&
    typeof me.person_id === "string" &&
    typeof me.name === "string" &&
    Array.isArray(me.roles) &&
    Array.isArray(me.grants)
  );
}

export function saveMe(me: Me, now: Date = new Date(), storage: KeyValueStorage = safeStorage): SavedMe {
  const saved = { me, savedAt: now.toISOString() };
  storage.set(ME_KEY, JSON.stringify(saved));
  return saved;
}

/** Null when nothing is saved or what is saved is unreadable (an older shape, a hand edit). */
export function loadMe(storage: KeyValueStorage = safeStorage): SavedMe | null {
  const raw = storage.get(ME_KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<SavedMe>;
    return looksLikeMe(parsed.me) && typeof parsed.savedAt === "string" ? (parsed as SavedMe) : null;
  } catch {
    return null;
  }
}

export function forgetMe(storage: KeyValueStorage = safeStorage): void {
  storage.remove(ME_KEY);
}
