/** The device's IndexedDB: server state (`entities`), pending ops (`outbox`), `meta`, `notices`.
 *
 *  One database per signed-in person (a shared phone keeps each person's data and queue apart).
 *  Schema changes only ever add a step to UPGRADES: a phone that was offline through several
 *  releases runs every step in order, and no step may drop or rewrite away the outbox — a pending
 *  gas reading must survive any upgrade (workbox's background-sync queue did not).
 */

import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB, type StoreNames } from "idb";

import type { EntityState, JsonObject, Operation } from "./messages";

export interface EntityRecord {
  entity: string;
  entity_id: string;
  version: number;
  data: JsonObject;
}

export interface OutboxRecord {
  op_id: string;
  hlc: string; // replay order
  op: Operation; // exactly as first sent (and signed): every retry sends these bytes
  acked_seq: number | null; // decided at this server seq; still shown until a pull reaches it
  attempts: number;
  recorded_at: number;
}

export interface NoticeRecord {
  op_id: string;
  kind: string;
  code: string;
  reason: string;
  needs_action: boolean; // rejected ops; merges that lost fields are shown but need nothing
  current: EntityState | null;
  lost: string[];
  at: number;
}

export interface SyncSchema extends DBSchema {
  entities: { key: [string, string]; value: EntityRecord };
  outbox: { key: string; value: OutboxRecord; indexes: { by_hlc: string } };
  meta: { key: string; value: unknown };
  notices: { key: string; value: NoticeRecord };
}

export type SyncDb = IDBPDatabase<SyncSchema>;
type UpgradeTx = IDBPTransaction<SyncSchema, StoreNames<SyncSchema>[], "versionchange">;

/** Step N takes the database from version N to N+1. Append only. */
export const UPGRADES: ((db: SyncDb, tx: UpgradeTx) => void)[] = [
  (db) => {
    db.createObjectStore("entities", { keyPath: ["entity", "entity_id"] });
    db.createObjectStore("outbox", { keyPath: "op_id" });
    db.createObjectStore("meta");
  },
  (db, tx) => {
    // rejected ops become notices; the outbox replays in HLC order; older records get a retry count
    db.createObjectStore("notices", { keyPath: "op_id" });
    const outbox = tx.objectStore("outbox");
    outbox.createIndex("by_hlc", "hlc");
    void outbox.openCursor().then(async function fill(cursor): Promise<void> {
      if (!cursor) return;
      const record = cursor.value as OutboxRecord & { attempts?: number };
      if (record.attempts === undefined) await cursor.update({ ...record, attempts: 0 });
      return fill(await cursor.continue());
    });
  },
];
export const DB_VERSION = UPGRADES.length;

export function dbName(personId: string): string {
  return `tezuo-sync-${personId}`;
}

export function openSyncDb(personId: string, version: number = DB_VERSION, onBlocking?: () => void): Promise<SyncDb> {
  return openDB<SyncSchema>(dbName(personId), version, {
    upgrade(db, oldVersion, newVersion, tx) {
      for (let step = oldVersion; step < (newVersion ?? version); step++) UPGRADES[step]!(db, tx);
    },
    blocking(_current, _blocked, event) {
      // a newer release opened in another tab: let it upgrade, and reload into it
      (event.target as IDBDatabase).close();
      onBlocking?.();
    },
  });
}
