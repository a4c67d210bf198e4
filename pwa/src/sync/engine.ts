/** The device half of sync: record ops offline, replay them, pull changes, rebase the view.
 *
 *  Rules (twin of sync/client.py):
 *  - an op leaves the outbox only when the server has *decided* it; a retry re-sends the same bytes
 *    and the server answers from its stored result, so nothing is applied twice;
 *  - applied/merged ops stay in the view until a pull reaches their `server_seq`;
 *  - rejected ops become notices with the server's reason — never silently dropped;
 *  - deferred ops (server fault, a command the server does not know yet) stay and are retried;
 *  - replay runs on start, on `online`, when the page becomes visible, on a timer, on a Background
 *    Sync message from the service worker, and after failures with exponential backoff.
 */

import { opChallenge } from "./canonical";
import { formatHlc, HlcClock, parseHlc } from "./hlc";
import {
  finalOf,
  type JsonObject,
  type Operation,
  type OpResult,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from "./messages";
import { applyOp, entityKey } from "./mutators";
import { type NoticeRecord, openSyncDb, type OutboxRecord, type SyncDb } from "./store";
import { uuid7 } from "./uuid";

export interface Transport {
  push(request: PushRequest): Promise<PushResponse>;
  pull(request: PullRequest): Promise<PullResponse>;
}

/** The server said the session is gone: stop until the person signs in again (keep everything). */
export class SignedOut extends Error {}

export type Signer = (challenge: Uint8Array) => Promise<JsonObject>;

export interface SyncStatus {
  pending: number; // ops the server has not decided yet ("待同步 N 条")
  syncing: boolean;
  notices: NoticeRecord[];
  lastSyncAt: number | null;
  error: string | null; // why the last attempt failed; the ops are kept either way
  retryAt: number | null;
  signedOut: boolean;
}

export interface EngineOptions {
  now?: () => number;
  signer?: Signer;
  deviceName?: string;
  batch?: number;
  random?: () => number;
  onBlocking?: () => void;
  /** Which database (default: the person's). Two simulated devices of one person need two. */
  dbKey?: string;
}

export const PUSH_BATCH = 100;
const BACKOFF_START_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;

/** 2 s, 4 s, 8 s … up to 5 min, with jitter so a site's phones do not all retry at once. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (failures - 1));
  return Math.round(base * (0.5 + random() / 2));
}

type Listener = () => void;

export class SyncEngine {
  status: SyncStatus = {
    pending: 0,
    syncing: false,
    notices: [],
    lastSyncAt: null,
    error: null,
    retryAt: null,
    signedOut: false,
  };
  view: Map<string, JsonObject> = new Map();
  /** Server versions of the entities in the view (what a guarded op's base_version is). */
  versions: Map<string, number> = new Map();
  /** Entities that an op the server has not decided yet changes ("待同步" marks). */
  pendingKeys: Set<string> = new Set();
  /** The command kinds the server said it decides: the app offers only those actions. */
  commands: Set<string> = new Set();

  private readonly listeners = new Set<Listener>();
  private readonly now: () => number;
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    readonly db: SyncDb,
    readonly personId: string,
    readonly deviceId: string,
    private clock: HlcClock,
    private readonly transport: Transport,
    private readonly options: EngineOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  static async open(personId: string, transport: Transport, options: EngineOptions = {}): Promise<SyncEngine> {
    const db = await openSyncDb(options.dbKey ?? personId, undefined, options.onBlocking);
    let deviceId = (await db.get("meta", "device_id")) as string | undefined;
    if (!deviceId) {
      deviceId = uuid7((options.now ?? Date.now)());
      await db.put("meta", deviceId, "device_id");
    }
    const last = (await db.get("meta", "hlc")) as string | undefined;
    const engine = new SyncEngine(
      db,
      personId,
      deviceId,
      new HlcClock(deviceId, last ? parseHlc(last) : undefined),
      transport,
      options,
    );
    await engine.refresh();
    return engine;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }

  // --- recording --------------------------------------------------------------------------------

  /** Queue an op (works offline). `signed` makes a passkey assertion over its hash first;
   *  `signature` is one the domain already made over its own signed form (a permit decision). */
  async record(
    kind: string,
    entity: string,
    entityId: string,
    args: JsonObject,
    opts: { baseVersion?: number | null; signed?: boolean; signature?: Record<string, unknown> } = {},
  ): Promise<Operation> {
    const at = this.now();
    const op: Operation = {
      op_id: uuid7(at),
      device_id: this.deviceId,
      hlc: formatHlc(this.clock.tick(at)),
      kind,
      entity,
      entity_id: entityId,
      args,
    };
    if (opts.baseVersion !== undefined && opts.baseVersion !== null) op.base_version = opts.baseVersion;
    if (opts.signature) op.signature = opts.signature;
    else if (opts.signed) {
      if (!this.options.signer) throw new Error("no passkey signer available");
      op.signature = await this.options.signer(await opChallenge(op as unknown as JsonObject));
    }
    const tx = this.db.transaction(["outbox", "meta"], "readwrite");
    await Promise.all([
      tx.objectStore("outbox").put({ op_id: op.op_id, hlc: op.hlc, op, acked_seq: null, attempts: 0, recorded_at: at }),
      tx.objectStore("meta").put(op.hlc, "hlc"),
      tx.done,
    ]);
    await this.refresh();
    return op;
  }

  // --- replay -----------------------------------------------------------------------------------

  /** Push what is pending, then pull; one run at a time (a call during a run schedules one more). */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.sync();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.status = { ...this.status, syncing: true, retryAt: null };
    this.emit();
    try {
      await this.pushAll();
      await this.pullAll();
      this.failures = 0;
      this.status = { ...this.status, lastSyncAt: this.now(), error: null, signedOut: false };
    } catch (err) {
      if (err instanceof SignedOut) {
        this.status = { ...this.status, error: err.message, signedOut: true };
      } else {
        this.failures += 1;
        const delay = backoffMs(this.failures, this.options.random);
        this.status = { ...this.status, error: err instanceof Error ? err.message : String(err), retryAt: this.now() + delay };
        this.retryTimer = setTimeout(() => void this.sync(), delay);
      }
    } finally {
      this.status = { ...this.status, syncing: false };
      await this.refresh();
    }
  }

  private async pushAll(): Promise<void> {
    const batch = this.options.batch ?? PUSH_BATCH;
    const undecided = (await this.db.getAllFromIndex("outbox", "by_hlc")).filter((r) => r.acked_seq === null);
    for (let start = 0; start < undecided.length; start += batch) {
      const chunk = undecided.slice(start, start + batch);
      const request: PushRequest = { device_id: this.deviceId, ops: chunk.map((r) => r.op), sent_at: this.now() };
      if (this.options.deviceName) request.device_name = this.options.deviceName;
      const response = await this.transport.push(request);
      await this.settle(chunk, response.results);
    }
  }

  /** Record what the server decided, in one IndexedDB transaction per batch. */
  private async settle(chunk: OutboxRecord[], results: OpResult[]): Promise<void> {
    const tx = this.db.transaction(["outbox", "notices"], "readwrite");
    const outbox = tx.objectStore("outbox");
    const notices = tx.objectStore("notices");
    const writes: Promise<unknown>[] = [];
    chunk.forEach((record, i) => {
      const result = results[i];
      const final = result ? finalOf(result) : null;
      if (!final) {
        writes.push(outbox.put({ ...record, attempts: record.attempts + 1 }));
        return;
      }
      const notice = { op_id: record.op_id, kind: record.op.kind, at: this.now(), current: null, lost: [] as string[] };
      if (final.status === "rejected") {
        writes.push(outbox.delete(record.op_id));
        writes.push(notices.put({ ...notice, code: final.code, reason: final.reason, needs_action: true, current: final.current }));
        return;
      }
      writes.push(outbox.put({ ...record, acked_seq: final.server_seq }));
      if (final.status === "merged" && final.lost.length) {
        writes.push(notices.put({ ...notice, code: "merged", reason: "", needs_action: false, lost: final.lost }));
      }
    });
    await Promise.all([...writes, tx.done]);
  }

  private async pullAll(): Promise<void> {
    let cursor = ((await this.db.get("meta", "cursor")) as number | undefined) ?? 0;
    let scope = ((await this.db.get("meta", "scope")) as string | undefined) ?? "";
    for (;;) {
      const page = await this.transport.pull({ cursor, scope, limit: 500 });
      const tx = this.db.transaction(["entities", "meta"], "readwrite");
      const entities = tx.objectStore("entities");
      const writes: Promise<unknown>[] = [];
      if (page.reset) writes.push(entities.clear()); // scopes changed: what was out of scope goes
      for (const change of page.changes) {
        if (change.type === "put") {
          const { entity, entity_id, version, data } = change;
          writes.push(entities.put({ entity, entity_id, version, data }));
        } else {
          writes.push(entities.delete([change.entity, change.entity_id]));
        }
      }
      writes.push(tx.objectStore("meta").put(page.cursor, "cursor"), tx.objectStore("meta").put(page.scope, "scope"));
      if (page.commands) writes.push(tx.objectStore("meta").put(page.commands, "commands"));
      await Promise.all([...writes, tx.done]);
      ({ cursor, scope } = page);
      if (!page.more) break;
    }
    // ops the pulled state now contains leave the outbox
    const tx = this.db.transaction("outbox", "readwrite");
    const done: Promise<unknown>[] = [];
    for (const record of await tx.store.getAll()) {
      if (record.acked_seq !== null && record.acked_seq <= cursor) done.push(tx.store.delete(record.op_id));
    }
    await Promise.all([...done, tx.done]);
  }

  // --- the view -----------------------------------------------------------------------------------

  /** Server state with every op still in the outbox applied on top, in HLC order. */
  async refresh(): Promise<void> {
    const [entities, outbox, notices, commands] = await Promise.all([
      this.db.getAll("entities"),
      this.db.getAllFromIndex("outbox", "by_hlc"),
      this.db.getAll("notices"),
      this.db.get("meta", "commands") as Promise<string[] | undefined>,
    ]);
    this.commands = new Set(commands ?? []);
    const view = new Map<string, JsonObject>();
    const versions = new Map<string, number>();
    for (const e of entities) {
      view.set(entityKey(e.entity, e.entity_id), e.data);
      versions.set(entityKey(e.entity, e.entity_id), e.version);
    }
    for (const record of outbox) applyOp(view, record.op, this.personId);
    this.view = view;
    this.versions = versions;
    this.pendingKeys = new Set(outbox.filter((r) => r.acked_seq === null).map((r) => entityKey(r.op.entity, r.op.entity_id)));
    this.status = {
      ...this.status,
      pending: outbox.filter((r) => r.acked_seq === null).length,
      notices: notices.sort((a, b) => b.at - a.at),
    };
    this.emit();
  }

  async dismiss(opId: string): Promise<void> {
    await this.db.delete("notices", opId);
    await this.refresh();
  }

  /** Pending ops in replay order (for tests and the service worker's view of things). */
  outbox(): Promise<OutboxRecord[]> {
    return this.db.getAllFromIndex("outbox", "by_hlc");
  }

  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.listeners.clear();
    this.db.close();
  }
}
