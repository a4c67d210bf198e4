/** The push algorithm (twin of sync/push.py), for the TypeScript reference server the vectors run on. */

import { opChallenge } from "../canonical";
import { parseHlc, type Hlc } from "../hlc";
import type { Deferred, Final, JsonObject, Operation, OpResult, PushRequest, PushResponse, Rejected } from "../messages";
import { clockSkew, effectiveMs, type Stamp } from "../rules";

export type Rule = "append" | "lww-field" | "guarded" | "signed-guarded";

/** A command's rule said no. */
export class Reject extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly current: Rejected["current"] = null,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** The server could not decide now: answered `deferred`, not stored. */
export class Defer extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

export interface Effect {
  target: unknown;
  stale?: boolean;
  lost?: string[];
}

/** Validates args and returns them as the handler reads them, or a message saying what is wrong. */
export type ArgsParser = (args: JsonObject) => JsonObject | string;

export interface Command<Ctx> {
  kind: string;
  rule: Rule;
  entity: string;
  parse: ArgsParser;
  handler: (ctx: Ctx, op: Operation, args: JsonObject, stamp: Stamp) => Promise<Effect>;
}

export interface Stored {
  deviceId: string;
  result: Final;
}

export interface Decided {
  op: Operation;
  result: Final;
}

export interface PushServer<Ctx> {
  commands: Map<string, Command<Ctx>>;
  ctx: Ctx;
  stored(opIds: string[]): Promise<Map<string, Stored>>;
  verify(op: Operation, challenge: Uint8Array): Promise<void>;
  run(command: Command<Ctx>, op: Operation, args: JsonObject, stamp: Stamp): Promise<Effect>;
  commit(): Promise<number>;
  versionOf(target: unknown): number;
  store(decided: Decided[]): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A UUID in canonical form (lowercase, hyphenated), as msgspec decodes and writes it. */
export function canonicalUuid(value: unknown): string | null {
  if (typeof value !== "string" || !UUID.test(value)) return null;
  const hex = value.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The envelope checks msgspec makes when it converts a raw op into `sync.messages.Operation`. */
export function decodeOperation(raw: unknown): Operation | string {
  if (!isObject(raw)) return "expected an object";
  const ids: Record<string, string> = {};
  for (const name of ["op_id", "device_id", "entity_id"]) {
    const id = canonicalUuid(raw[name]);
    if (id === null) return raw[name] === undefined ? `object missing required field \`${name}\`` : `invalid uuid at $.${name}`;
    ids[name] = id;
  }
  for (const name of ["hlc", "kind", "entity"]) {
    if (typeof raw[name] !== "string") return `expected str at $.${name}`;
  }
  const base = raw.base_version;
  if (base !== undefined && base !== null && !Number.isInteger(base)) return "expected int at $.base_version";
  if (raw.args !== undefined && !isObject(raw.args)) return "expected object at $.args";
  if (raw.signature !== undefined && raw.signature !== null && !isObject(raw.signature)) return "expected object at $.signature";
  return {
    op_id: ids.op_id!,
    device_id: ids.device_id!,
    hlc: raw.hlc as string,
    kind: raw.kind as string,
    entity: raw.entity as string,
    entity_id: ids.entity_id!,
    base_version: (base as number | null | undefined) ?? null,
    args: (raw.args as JsonObject | undefined) ?? {},
    signature: (raw.signature as JsonObject | null | undefined) ?? null,
  };
}

interface Item {
  index: number;
  op: Operation;
  hlc: Hlc;
  raw: JsonObject;
}

function compareHlc(a: Hlc, b: Hlc): number {
  return a.wall - b.wall || a.counter - b.counter || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}

function decode(index: number, raw: unknown, deviceId: string): Item | Rejected {
  const opId = isObject(raw) ? canonicalUuid(raw.op_id) : null;
  const op = decodeOperation(raw);
  let hlc: Hlc;
  try {
    if (typeof op === "string") throw new SyntaxError(op);
    hlc = parseHlc(op.hlc);
  } catch (err) {
    return { status: "rejected", op_id: opId, code: "malformed_op", reason: `操作格式错误: ${(err as Error).message}`, current: null };
  }
  if (op.device_id !== deviceId || hlc.node !== deviceId) {
    return { status: "rejected", op_id: opId, code: "device_mismatch", reason: "操作不属于推送它的设备", current: null };
  }
  return { index, op, hlc, raw: raw as JsonObject };
}

/** Decide every op of a batch; `results[i]` answers `request.ops[i]`. */
export async function push<Ctx>(server: PushServer<Ctx>, request: PushRequest, nowMs: number): Promise<PushResponse> {
  const deviceId = canonicalUuid(request.device_id) ?? request.device_id;
  const results: (OpResult | null)[] = request.ops.map(() => null);
  const items: Item[] = [];
  request.ops.forEach((raw, index) => {
    const decoded = decode(index, raw, deviceId);
    if ("status" in decoded) results[index] = decoded;
    else items.push(decoded);
  });
  items.sort((a, b) => compareHlc(a.hlc, b.hlc)); // stable, like Python's sort

  const stored = await server.stored([...new Set(items.map((i) => i.op.op_id))].sort());
  const first = new Map<string, Item>();
  const todo: Item[] = [];
  for (const item of items) {
    const earlier = stored.get(item.op.op_id);
    if (earlier) {
      results[item.index] =
        earlier.deviceId === item.op.device_id
          ? { status: "duplicate", op_id: item.op.op_id, original: earlier.result }
          : { status: "rejected", op_id: item.op.op_id, code: "op_id_taken", reason: "该操作编号已被其他设备使用", current: null };
    } else if (!first.has(item.op.op_id)) {
      first.set(item.op.op_id, item);
      todo.push(item);
    }
  }

  const skew = clockSkew(request.sent_at, nowMs);
  const effects = new Map<string, Effect>();
  const decided = new Map<string, Final | Deferred>();
  for (const item of todo) {
    const stamp: Stamp = { at: effectiveMs(item.hlc.wall, skew, nowMs), hlc: item.op.hlc, device: item.op.device_id };
    const outcome = await decideOne(server, item, stamp);
    if ("status" in outcome) decided.set(item.op.op_id, outcome);
    else effects.set(item.op.op_id, outcome);
  }

  const serverSeq = await server.commit();
  for (const [opId, effect] of effects) {
    const version = server.versionOf(effect.target);
    const lost = effect.lost ?? [];
    decided.set(
      opId,
      effect.stale || lost.length
        ? { status: "merged", op_id: opId, version, server_seq: serverSeq, lost }
        : { status: "applied", op_id: opId, version, server_seq: serverSeq },
    );
  }
  await server.store(
    todo.flatMap((item) => {
      const outcome = decided.get(item.op.op_id)!;
      return outcome.status === "deferred" ? [] : [{ op: item.op, result: outcome }];
    }),
  );

  for (const item of items) {
    if (results[item.index] !== null) continue;
    const outcome = decided.get(item.op.op_id)!;
    const isCopy = first.get(item.op.op_id) !== item;
    results[item.index] =
      isCopy && outcome.status !== "deferred" ? { status: "duplicate", op_id: item.op.op_id, original: outcome } : outcome;
  }
  return { results: results.filter((r): r is OpResult => r !== null), server_time: nowMs };
}

async function decideOne<Ctx>(server: PushServer<Ctx>, item: Item, stamp: Stamp): Promise<Effect | Final | Deferred> {
  const op = item.op;
  const command = server.commands.get(op.kind);
  if (!command) {
    return { status: "deferred", op_id: op.op_id, code: "unknown_kind", reason: `服务器尚不支持 ${op.kind}`, retry_after_ms: 30_000 };
  }
  if (command.entity !== op.entity) {
    return { status: "rejected", op_id: op.op_id, code: "wrong_entity", reason: `${op.kind} 不作用于 ${op.entity}`, current: null };
  }
  const args = command.parse(op.args);
  if (typeof args === "string") {
    return { status: "rejected", op_id: op.op_id, code: "invalid_args", reason: `参数无效: ${args}`, current: null };
  }
  try {
    if (command.rule === "signed-guarded") {
      if (!op.signature || !Object.keys(op.signature).length) throw new Reject("signature_missing", "审批操作必须由本人通行密钥签名");
      await server.verify(op, await opChallenge(item.raw));
    }
    return await server.run(command, op, args, stamp);
  } catch (err) {
    if (err instanceof Reject) return { status: "rejected", op_id: op.op_id, code: err.code, reason: err.reason, current: err.current };
    if (err instanceof Defer) return { status: "deferred", op_id: op.op_id, code: err.code, reason: err.reason, retry_after_ms: 30_000 };
    throw err;
  }
}
