/** Background Sync in the service worker: when the network returns, send every pending op even if
 *  the app is closed. Self-contained (raw IndexedDB): the worker cannot share chunks with the app.
 *
 *  Nothing is written back: the page settles results on its next sync, when its re-push of the same
 *  ops is answered from the server's stored results (`duplicate`) — so this path cannot disagree
 *  with the page's bookkeeping, and an op is still applied exactly once.
 */

export const SYNC_TAG = "tezuo-sync";
const BATCH = 100;

interface Pending {
  op: unknown;
  hlc: string;
  acked_seq: number | null;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    // a database this worker does not know the schema of: leave it to the page
    request.onupgradeneeded = () => request.transaction?.abort();
  });
}

async function pendingOf(db: IDBDatabase): Promise<{ deviceId: string | undefined; ops: unknown[] }> {
  if (!db.objectStoreNames.contains("outbox") || !db.objectStoreNames.contains("meta")) return { deviceId: undefined, ops: [] };
  const tx = db.transaction(["outbox", "meta"], "readonly");
  const [deviceId, records] = await Promise.all([
    done(tx.objectStore("meta").get("device_id")) as Promise<string | undefined>,
    done(tx.objectStore("outbox").getAll()) as Promise<Pending[]>,
  ]);
  records.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
  return { deviceId, ops: records.filter((r) => r.acked_seq === null).map((r) => r.op) };
}

/** Push the outbox of every person's sync database on this device. Throws if the network is still
 *  down, so the browser schedules another attempt. */
export async function replayOutboxes(
  factory: IDBFactory,
  post: (body: string) => Promise<Response>,
  now: () => number = Date.now,
): Promise<number> {
  let sent = 0;
  for (const { name } of await factory.databases()) {
    if (!name?.startsWith("tezuo-sync-")) continue;
    const db = await open(factory, name);
    try {
      const { deviceId, ops } = await pendingOf(db);
      for (let start = 0; deviceId && start < ops.length; start += BATCH) {
        const chunk = ops.slice(start, start + BATCH);
        const response = await post(JSON.stringify({ device_id: deviceId, ops: chunk, sent_at: now() }));
        if (response.status === 401) break; // signed out: the page asks to sign in again
        if (!response.ok) throw new Error(`push answered ${response.status}`);
        sent += chunk.length;
      }
    } finally {
      db.close();
    }
  }
  return sent;
}
