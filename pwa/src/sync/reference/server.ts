/** The reference server in TypeScript (twin of sync/reference.py): the same push and pull rules over
 *  dictionaries, with the same tiny permit model, so the shared vectors run in vitest too. */

import type { JsonObject, Operation, PullRequest, PullResponse, PushRequest, PushResponse } from "../messages";
import * as mutators from "../mutators";
import { lwwMerge, type Stamp } from "../rules";
import { struct } from "./args";
import { ancestors, type LogRow, pullPage, Viewer } from "./pull";
import { type Command, type Decided, type Effect, push, type PushServer, Reject, type Stored } from "./push";
import { verifyOpAssertion } from "./webauthn";

const OVERSEEING = new Set(["guardian", "inspector", "team_leader", "safety_officer", "workshop_director", "vice_president", "hr", "admin"]);
const CONTACT_MANAGERS = ["admin", "hr"];
const GAS_RECORDERS = ["guardian", "safety_officer", "inspector", "team_leader"];
const APPROVERS = ["safety_officer", "workshop_director", "vice_president"];
const CANCELLERS = ["team_leader", "safety_officer", "workshop_director"];
const PATH_ENTITIES = new Set(["org_unit"]);
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;
const LOCALES = ["zh-CN", "en"];

export class DeviceNotYours extends Error {}

export class Actor {
  constructor(
    readonly personId: string,
    public unitPath: string,
    public grants: [string, string][],
    readonly credentials: Map<string, JsonWebKey> = new Map(),
  ) {}

  hasRole(roles: string[], path: string): boolean {
    return this.grants.some(([role, scope]) => roles.includes(role) && path.startsWith(scope));
  }

  viewer(): Viewer {
    const scopes = [...new Set(this.grants.filter(([role]) => OVERSEEING.has(role)).map(([, scope]) => scope))].sort();
    return new Viewer(this.personId, scopes, ancestors([this.unitPath, ...this.grants.map(([, scope]) => scope)]));
  }
}

export interface Entity {
  entity: string;
  entity_id: string;
  version: number;
  data: JsonObject;
  scope_path: string | null;
  owner_id: string | null;
  deleted: boolean;
}

const key = (entity: string, id: string) => `${entity}/${id}`;
const clone = <T>(value: T): T => structuredClone(value);
const stateOf = (e: Entity) => ({ entity: e.entity, entity_id: e.entity_id, version: e.version, data: clone(e.data), deleted: e.deleted });

export class ReferenceServer {
  readonly actors = new Map<string, Actor>();
  readonly devices = new Map<string, string>();
  readonly entities = new Map<string, Entity>();
  readonly stamps = new Map<string, Stamp>();
  readonly results = new Map<string, Stored>();
  readonly log: LogRow[] = [];

  constructor(
    readonly rpId = "localhost",
    readonly origin = "http://localhost:8000",
  ) {}

  addActor(actor: Actor): void {
    this.actors.set(actor.personId, actor);
  }

  seed(entity: Entity): void {
    this.entities.set(key(entity.entity, entity.entity_id), entity);
    this.logRow(entity);
  }

  write(entity: string, id: string, changes: JsonObject | undefined, deleted?: boolean): void {
    const found = this.entities.get(key(entity, id))!;
    found.data = { ...found.data, ...(changes ?? {}) };
    if (deleted !== undefined) found.deleted = deleted;
    found.version += 1;
    this.logRow(found);
  }

  logRow(e: Entity): void {
    this.log.push({
      seq: this.log.length + 1,
      entity: e.entity,
      entity_id: e.entity_id,
      version: e.version,
      deleted: e.deleted,
      data: clone(e.data),
      scope_path: e.scope_path,
      owner_id: e.owner_id,
    });
  }

  async push(personId: string, request: PushRequest, nowMs: number): Promise<PushResponse> {
    const owner = this.devices.get(request.device_id) ?? personId;
    this.devices.set(request.device_id, owner);
    if (owner !== personId) throw new DeviceNotYours(request.device_id);
    return push(new Txn(this, this.actors.get(personId)!, nowMs), request, nowMs);
  }

  async pull(personId: string, request: PullRequest, nowMs: number): Promise<PullResponse> {
    const viewer = this.actors.get(personId)!.viewer();
    const scope = await viewer.fingerprint();
    const reset = Boolean(request.scope) && request.scope !== scope;
    const page = pullPage(this.log, viewer, reset ? 0 : request.cursor, request.limit ?? 500, PATH_ENTITIES);
    return { changes: page.changes, cursor: page.cursor, more: page.more, server_time: nowMs, scope, reset, commands: [...COMMANDS.keys()].sort() };
  }
}

export class Txn implements PushServer<Txn> {
  readonly commands = COMMANDS;
  readonly ctx = this;
  readonly touched = new Map<string, Entity>();
  readonly newStamps = new Map<string, Stamp>();

  constructor(
    readonly server: ReferenceServer,
    readonly actor: Actor,
    readonly nowMs: number,
  ) {}

  async stored(opIds: string[]): Promise<Map<string, Stored>> {
    return new Map(opIds.filter((id) => this.server.results.has(id)).map((id) => [id, this.server.results.get(id)!]));
  }

  async verify(op: Operation, challenge: Uint8Array): Promise<void> {
    const jwk = this.actor.credentials.get(String(op.signature?.rawId ?? ""));
    if (!jwk) throw new Reject("signature_invalid", "签名所用通行密钥不属于操作人");
    await verifyOpAssertion(op.signature!, challenge, jwk, this.server.rpId, this.server.origin);
  }

  run(command: Command<Txn>, op: Operation, args: JsonObject, stamp: Stamp): Promise<Effect> {
    return command.handler(this, op, args, stamp);
  }

  async commit(): Promise<number> {
    for (const [k, entity] of this.touched) {
      const before = this.server.entities.get(k);
      entity.version = before ? before.version + 1 : 1;
      this.server.entities.set(k, entity);
      this.server.logRow(entity);
    }
    for (const [k, stamp] of this.newStamps) this.server.stamps.set(k, stamp);
    return this.server.log.length ? this.server.log[this.server.log.length - 1]!.seq : 0;
  }

  versionOf(target: unknown): number {
    return this.server.entities.get(target as string)!.version;
  }

  async store(decided: Decided[]): Promise<void> {
    for (const item of decided) this.server.results.set(item.op.op_id, { deviceId: item.op.device_id, result: item.result });
  }

  get(entity: string, id: string): Entity | null {
    const found = this.touched.get(key(entity, id)) ?? this.server.entities.get(key(entity, id));
    return found && !found.deleted ? found : null;
  }

  edit(found: Entity): Entity {
    const k = key(found.entity, found.entity_id);
    if (!this.touched.has(k)) this.touched.set(k, clone(found));
    return this.touched.get(k)!;
  }

  create(entity: Entity): void {
    this.touched.set(key(entity.entity, entity.entity_id), entity);
  }

  stampsOf(entity: string, id: string, names: string[]): Record<string, Stamp> {
    const out: Record<string, Stamp> = {};
    for (const name of names) {
      const k = `${entity}/${id}/${name}`;
      const stamp = this.newStamps.get(k) ?? this.server.stamps.get(k);
      if (stamp) out[name] = stamp;
    }
    return out;
  }

  setStamps(entity: string, id: string, names: string[], stamp: Stamp): void {
    for (const name of names) this.newStamps.set(`${entity}/${id}/${name}`, stamp);
  }
}

function lww(txn: Txn, op: Operation, found: Entity, changes: JsonObject, stamp: Stamp): Effect {
  const { won, lost } = lwwMerge(txn.stampsOf(found.entity, found.entity_id, Object.keys(changes)), changes, stamp);
  const stale = op.base_version !== null && op.base_version !== undefined && op.base_version < found.version;
  if (Object.keys(won).length) {
    const target = txn.edit(found);
    target.data = mutators.updateFields(target.data, won);
    txn.setStamps(found.entity, found.entity_id, Object.keys(won), stamp);
  }
  return { target: key(found.entity, found.entity_id), stale, lost };
}

function permitOf(txn: Txn, id: string): Entity {
  const permit = txn.get("permit", id);
  if (!permit) throw new Reject("permit_unknown", "作业票不存在");
  return permit;
}

const COMMANDS = new Map<string, Command<Txn>>();
function command(spec: Command<Txn>): void {
  COMMANDS.set(spec.kind, spec);
}

command({
  kind: "worker.update_contact",
  rule: "lww-field",
  entity: "person",
  parse: struct({ phone: { type: "str", nullable: true }, locale: { type: "str" } }),
  async handler(txn, op, args, stamp) {
    const person = txn.get("person", op.entity_id);
    if (!person) throw new Reject("person_unknown", "人员不存在");
    if (person.entity_id !== txn.actor.personId && !txn.actor.hasRole(CONTACT_MANAGERS, String(person.data.unit_path))) {
      throw new Reject("role_required", "只能修改本人的联系方式");
    }
    const changes = Object.fromEntries(mutators.CONTACT_FIELDS.filter((f) => f in args).map((f) => [f, args[f]]));
    if (!Object.keys(changes).length) throw new Reject("invalid_args", "没有要修改的联系方式");
    if ("phone" in changes && changes.phone !== null && !PHONE.test(String(changes.phone))) {
      throw new Reject("phone_invalid", "电话号码格式不正确");
    }
    if ("locale" in changes && !LOCALES.includes(String(changes.locale))) throw new Reject("locale_invalid", "不支持的语言");
    return lww(txn, op, person, changes, stamp);
  },
});

command({
  kind: "gas.record",
  rule: "append",
  entity: "gas_reading",
  parse: struct({
    permit_id: { type: "uuid", required: true },
    o2_pct: { type: "number", required: true, min: 0, max: 100 },
    lel_pct: { type: "number", required: true, min: 0, max: 100 },
    h2s_ppm: { type: "number", default: 0, min: 0, max: 10_000 },
    co_ppm: { type: "number", default: 0, min: 0, max: 10_000 },
  }),
  async handler(txn, op, args, stamp) {
    const permit = permitOf(txn, String(args.permit_id));
    const path = String(permit.data.scope_path);
    if (!txn.actor.hasRole(GAS_RECORDERS, path)) throw new Reject("role_required", "您不是该作业的监护人或安全员");
    if (txn.get("gas_reading", op.entity_id)) throw new Reject("entity_exists", "该读数编号已存在");
    const data = mutators.gasReading(args, {
      recordedBy: txn.actor.personId,
      measuredAt: stamp.at,
      hlc: op.hlc,
      permitStatus: permit.data.status,
    });
    txn.create({ entity: "gas_reading", entity_id: op.entity_id, version: 0, data, scope_path: path, owner_id: txn.actor.personId, deleted: false });
    return { target: key("gas_reading", op.entity_id) };
  },
});

command({
  kind: "permit.approve",
  rule: "signed-guarded",
  entity: "permit",
  parse: struct({ comment: { type: "str", default: "" } }),
  async handler(txn, op) {
    const permit = permitOf(txn, op.entity_id);
    if (!txn.actor.hasRole(APPROVERS, String(permit.data.scope_path))) {
      throw new Reject("role_required", "您已不再具有该作业票的审批权限", stateOf(permit));
    }
    if (permit.data.status !== "pending") {
      throw new Reject("state_changed", `作业票当前状态为「${String(permit.data.status)}」，不能审批`, stateOf(permit));
    }
    if (op.base_version !== permit.version) {
      throw new Reject("stale", "作业票在您审批时之后已被修改，请重新查看后再审批", stateOf(permit));
    }
    const target = txn.edit(permit);
    target.data = mutators.approve(target.data, txn.actor.personId, txn.nowMs, op.hlc);
    return { target: key("permit", op.entity_id) };
  },
});

command({
  kind: "permit.cancel",
  rule: "guarded",
  entity: "permit",
  parse: struct({ reason: { type: "str", required: true, minLength: 1, maxLength: 200 } }),
  async handler(txn, op, args) {
    const permit = permitOf(txn, op.entity_id);
    if (!txn.actor.hasRole(CANCELLERS, String(permit.data.scope_path))) {
      throw new Reject("role_required", "您没有取消该作业票的权限", stateOf(permit));
    }
    if (!["pending", "approved"].includes(String(permit.data.status))) {
      throw new Reject("state_changed", `作业票当前状态为「${String(permit.data.status)}」，不能取消`, stateOf(permit));
    }
    const target = txn.edit(permit);
    target.data = mutators.cancel(target.data, txn.actor.personId, String(args.reason));
    return { target: key("permit", op.entity_id) };
  },
});

command({
  kind: "permit.edit_note",
  rule: "lww-field",
  entity: "permit",
  parse: struct({ note: { type: "str", required: true, maxLength: 500 } }),
  async handler(txn, op, args, stamp) {
    const permit = permitOf(txn, op.entity_id);
    if (!txn.actor.hasRole(CANCELLERS, String(permit.data.scope_path))) {
      throw new Reject("role_required", "您没有修改该作业票的权限", stateOf(permit));
    }
    return lww(txn, op, permit, { note: args.note }, stamp);
  },
});
