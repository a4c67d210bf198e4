/** Record an operation in a person's sync outbox from the service worker (确认 on the lock screen,
 *  no page open): the same IndexedDB record the page's SyncEngine writes, so the page, the worker's
 *  Background Sync (`replay.ts`) or the next app start sends it through POST /api/sync/push. */

// The worker bundle may not share chunks with the app (the precache plugin refuses it), so the two
// small pieces of the sync layer it needs are restated here; syncop.test.ts pins them to the
// app's own `sync/hlc.ts` and `sync/uuid.ts`.

/** The next HLC after `last` (text form, "{wall:013}:{counter:05}:{device}") at `nowMs`. */
export function nextHlc(last: string | undefined, device: string, nowMs: number): string {
  const [wallText = "0", counterText = "0"] = last ? last.split(":", 2) : [];
  let wall = Number(wallText);
  let counter = Number(counterText);
  const now = Math.floor(nowMs);
  if (now > wall) [wall, counter] = [now, 0];
  else if (counter < 99_999) counter += 1;
  else [wall, counter] = [wall + 1, 0];
  return `${String(wall).padStart(13, "0")}:${String(counter).padStart(5, "0")}:${device}`;
}

/** UUIDv7 (RFC 9562), time-ordered like the app's op ids. */
export function uuid7(ms: number): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let time = Math.floor(ms);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => (request.error?.name === "AbortError" ? resolve(null) : reject(request.error));
    // no such database (the person never opened the app here): leave it uncreated
    request.onupgradeneeded = () => request.transaction?.abort();
  });
}

/** Queue `kind` for `personId`'s device; the op id, or null when this phone has no sync database for
 *  them (never signed in here) and the caller must ask them to sign in. */
export async function recordSyncOp(
  factory: IDBFactory,
  personId: string,
  kind: string,
  entity: string,
  entityId: string,
  args: Record<string, unknown>,
  now: number = Date.now(),
): Promise<string | null> {
  const db = await openExisting(factory, `tezuo-sync-${personId}`);
  if (!db) return null;
  try {
    if (!db.objectStoreNames.contains("outbox") || !db.objectStoreNames.contains("meta")) return null;
    const tx = db.transaction(["outbox", "meta"], "readwrite");
    const meta = tx.objectStore("meta");
    // read and write in one transaction: a page recording at the same moment queues behind it
    const [deviceId, last] = await Promise.all([
      done(meta.get("device_id")) as Promise<string | undefined>,
      done(meta.get("hlc")) as Promise<string | undefined>,
    ]);
    if (!deviceId) {
      tx.abort();
      return null;
    }
    const hlc = nextHlc(last, deviceId, now);
    const op = { op_id: uuid7(now), device_id: deviceId, hlc, kind, entity, entity_id: entityId, args };
    tx.objectStore("outbox").put({ op_id: op.op_id, hlc, op, acked_seq: null, attempts: 0, recorded_at: now });
    meta.put(hlc, "hlc");
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("outbox write aborted"));
    });
    return op.op_id;
  } finally {
    db.close();
  }
}
