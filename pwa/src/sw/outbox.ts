/** The worker's outbox in IndexedDB: operations made offline (alarm.ack, alarm.sos) until the server has them. */

export interface Operation {
  op_id: string;
  kind: "alarm.ack" | "alarm.sos";
  entity: "alarm";
  entity_id: string;
  args: Record<string, unknown>;
  created_at: string;
  texts?: Record<string, string>;
  title?: string;
}

const DB_NAME = "tezuo-sw";
const STORE = "outbox";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) db.createObjectStore(STORE, { keyPath: "op_id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("indexedDB.open failed"));
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error("outbox transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("outbox transaction aborted"));
    });
  } finally {
    db.close();
  }
}

export function addOperation(op: Operation): Promise<IDBValidKey> {
  return run("readwrite", (store) => store.put(op));
}

export function removeOperation(opId: string): Promise<undefined> {
  return run("readwrite", (store) => store.delete(opId));
}

export async function pendingOperations(): Promise<Operation[]> {
  const all = await run("readonly", (store) => store.getAll() as IDBRequest<Operation[]>);
  return all.sort((a, b) => a.created_at.localeCompare(b.created_at));
}
