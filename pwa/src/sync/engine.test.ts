/** The device engine against the TypeScript reference server, over IndexedDB (fake-indexeddb). */

import "fake-indexeddb/auto";

import { afterEach, describe, expect, it } from "vitest";

import { opChallenge } from "./canonical";
import { backoffMs, type EngineOptions, SyncEngine, type Transport } from "./engine";
import type { PullRequest, PushRequest } from "./messages";
import { Actor, ReferenceServer } from "./reference/server";
import { openSyncDb } from "./store";
import { uuid7 } from "./uuid";

const T0 = 1_795_852_800_000;
const SITE = "/ENT/SA/";
const WS = "/ENT/SA/SA-W1/";
const PERMIT = "0195f000-0000-7000-8000-000000000200";

type Fault = "ok" | "request" | "response";

/** The reference server behind a transport that can lose requests and responses. */
class Wire implements Transport {
  faults: Fault[] = [];
  offline = false;
  constructor(
    readonly server: ReferenceServer,
    readonly person: string,
    readonly clock: { now: number },
  ) {}
  private fault(): Fault {
    if (this.offline) return "request";
    return this.faults.shift() ?? "ok";
  }
  async push(request: PushRequest) {
    const fault = this.fault();
    if (fault === "request") throw new TypeError("Failed to fetch");
    const response = await this.server.push(this.person, structuredClone(request), this.clock.now);
    if (fault === "response") throw new TypeError("Failed to fetch");
    return structuredClone(response);
  }
  async pull(request: PullRequest) {
    const fault = this.fault();
    if (fault === "request") throw new TypeError("Failed to fetch");
    const response = await this.server.pull(this.person, request, this.clock.now);
    if (fault === "response") throw new TypeError("Failed to fetch");
    return structuredClone(response);
  }
}

function world() {
  const server = new ReferenceServer();
  const clock = { now: T0 };
  const people = {
    guardian: uuid7(),
    guardian2: uuid7(),
    leader: uuid7(),
  };
  server.addActor(new Actor(people.guardian, WS, [["guardian", SITE]]));
  server.addActor(new Actor(people.guardian2, WS, [["guardian", SITE]]));
  server.addActor(new Actor(people.leader, WS, [["team_leader", WS]]));
  for (const [name, id] of Object.entries(people)) {
    const data = { name, phone: null, locale: "zh-CN", unit_path: WS, employment: "active" };
    server.seed({ entity: "person", entity_id: id, version: 1, data, scope_path: WS, owner_id: id, deleted: false });
  }
  const permit = { title: "动火", status: "pending", scope_path: WS, note: "" };
  server.seed({ entity: "permit", entity_id: PERMIT, version: 1, data: permit, scope_path: WS, owner_id: null, deleted: false });
  return { server, clock, people };
}

const engines: SyncEngine[] = [];
async function device(server: ReferenceServer, person: string, clock: { now: number }, options: EngineOptions = {}) {
  const wire = new Wire(server, person, clock);
  const engine = await SyncEngine.open(person, wire, { now: () => clock.now, random: () => 0.5, dbKey: uuid7(), ...options });
  engines.push(engine);
  return { engine, wire };
}

afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

const reading = (o2 = 20.9) => ({ permit_id: PERMIT, o2_pct: o2, lel_pct: 0 });

describe("SyncEngine", () => {
  it("keeps offline ops, shows them, and replays them exactly once when back online", async () => {
    const { server, clock, people } = world();
    const { engine, wire } = await device(server, people.guardian, clock);
    await engine.sync(); // pulls the permit while online
    wire.offline = true;
    const id = uuid7();
    await engine.record("gas.record", "gas_reading", id, reading());
    expect(engine.status.pending).toBe(1);
    expect(engine.view.get(`gas_reading/${id}`)?.o2_pct).toBe(20.9);

    await engine.sync();
    expect(engine.status.error).toMatch(/fetch/);
    expect(engine.status.retryAt).toBe(clock.now + backoffMs(1, () => 0.5));
    expect(engine.status.pending).toBe(1);

    wire.offline = false;
    wire.faults = ["response"]; // the server applies it, the answer is lost
    await engine.sync();
    expect(engine.status.pending).toBe(1);
    await engine.sync(); // the retry is answered from the stored result
    expect(engine.status.pending).toBe(0);
    expect(await engine.outbox()).toEqual([]);
    expect(server.log.filter((row) => row.entity === "gas_reading")).toHaveLength(1);
    expect(engine.view.get(`gas_reading/${id}`)?.recorded_by).toBe(people.guardian);
  });

  it("turns a rejection into a notice with the server's reason", async () => {
    const { server, clock, people } = world();
    const guardian = await device(server, people.guardian, clock);
    const leader = await device(server, people.leader, clock);
    await guardian.engine.sync();
    await leader.engine.record("permit.cancel", "permit", PERMIT, { reason: "停电" });
    await leader.engine.sync();
    await guardian.engine.record("permit.cancel", "permit", PERMIT, { reason: "我也想取消" });
    expect(guardian.engine.view.get(`permit/${PERMIT}`)?.status).toBe("cancelled");
    await guardian.engine.sync();
    const [notice] = guardian.engine.status.notices;
    expect(notice).toMatchObject({ code: "role_required", needs_action: true, kind: "permit.cancel" });
    expect(notice!.reason).toContain("权限");
    expect(guardian.engine.status.pending).toBe(0);
    await guardian.engine.dismiss(notice!.op_id);
    expect(guardian.engine.status.notices).toEqual([]);
  });

  it("keeps a deferred op (a command this server does not know yet) and counts attempts", async () => {
    const { server, clock, people } = world();
    const { engine } = await device(server, people.guardian, clock);
    await engine.record("badge.scan", "badge_scan", uuid7(), { badge: "X" });
    await engine.sync();
    await engine.sync();
    const [record] = await engine.outbox();
    expect(record).toMatchObject({ attempts: 2, acked_seq: null });
    expect(engine.status.pending).toBe(1);
  });

  it("signs a signed op over its canonical hash", async () => {
    const { server, clock, people } = world();
    const seen: Uint8Array[] = [];
    const signer = async (challenge: Uint8Array) => {
      seen.push(challenge);
      return { rawId: "none" };
    };
    const { engine } = await device(server, people.guardian, clock, { signer });
    const op = await engine.record("permit.approve", "permit", PERMIT, {}, { baseVersion: 1, signed: true });
    expect(op.signature).toEqual({ rawId: "none" });
    expect(seen[0]).toEqual(await opChallenge(op as never));
  });

  it("converges: devices with random offline periods and lost messages end on the server's state", async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 15; round++) {
      const { server, clock, people } = world();
      const devices = [
        await device(server, people.guardian, clock),
        await device(server, people.guardian2, clock),
        await device(server, people.leader, clock),
      ];
      for (let step = 0; step < 25; step++) {
        const { engine, wire } = devices[Math.floor(random() * devices.length)]!;
        clock.now += Math.floor(random() * 600_000);
        const roll = random();
        if (roll < 0.45) await engine.record("gas.record", "gas_reading", uuid7(clock.now), reading(15 + Math.floor(random() * 10)));
        else if (roll < 0.55) await engine.record("permit.cancel", "permit", PERMIT, { reason: "r" + step });
        else if (roll < 0.65) await engine.record("worker.update_contact", "person", engine.personId, { locale: random() < 0.5 ? "en" : "zh-CN" });
        else if (roll < 0.75) wire.offline = !wire.offline;
        else {
          wire.faults = Array.from({ length: 3 }, () => (["ok", "request", "response"] as const)[Math.floor(random() * 3)]!);
          await engine.sync();
        }
      }
      for (let pass = 0; pass < 2; pass++) {
        for (const { engine, wire } of devices) {
          wire.offline = false;
          wire.faults = [];
          await engine.sync();
        }
      }
      for (const { engine } of devices) {
        expect(engine.status.pending).toBe(0);
        const viewer = server.actors.get(engine.personId)!.viewer();
        const latest = new Map<string, (typeof server.log)[number]>();
        for (const row of server.log) latest.set(`${row.entity}/${row.entity_id}`, row);
        const expected = [...latest.entries()].filter(([, row]) => viewer.sees(row, new Set(["org_unit"])));
        expect(new Map([...engine.view.entries()].sort())).toEqual(new Map(expected.map(([k, row]) => [k, row.data] as const).sort()));
        const rejected = [...server.results.entries()].filter(
          ([, stored]) => stored.deviceId === engine.deviceId && stored.result.status === "rejected",
        );
        expect(engine.status.notices.filter((n) => n.needs_action).map((n) => n.op_id).sort()).toEqual(rejected.map(([id]) => id).sort());
      }
    }
  });
});

describe("the IndexedDB schema", () => {
  it("upgrades keep pending ops", async () => {
    const person = uuid7();
    const old = await openSyncDb(person, 1);
    const op = { op_id: uuid7(), device_id: uuid7(), hlc: "1795852800000:00000:x", kind: "gas.record", entity: "gas_reading", entity_id: uuid7(), args: {} };
    await old.put("outbox", { op_id: op.op_id, hlc: op.hlc, op, acked_seq: null, recorded_at: T0 } as never);
    old.close();
    const db = await openSyncDb(person);
    const records = await db.getAllFromIndex("outbox", "by_hlc");
    expect(records).toEqual([{ op_id: op.op_id, hlc: op.hlc, op, acked_seq: null, recorded_at: T0, attempts: 0 }]);
    db.close();
  });
});

describe("backoff", () => {
  it("doubles from 2 s to a 5 min ceiling, with jitter", () => {
    expect([1, 2, 3, 10].map((n) => backoffMs(n, () => 1))).toEqual([2_000, 4_000, 8_000, 300_000]);
    expect(backoffMs(1, () => 0)).toBe(1_000);
    expect(backoffMs(0)).toBe(0);
  });
});
