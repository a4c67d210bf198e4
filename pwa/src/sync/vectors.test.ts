/// <reference types="node" />
/** The shared vectors (sync/vectors/*.json) against the TypeScript twin of the reference server. */

import { readdirSync, readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { canonicalJson, opChallenge } from "./canonical";
import type { JsonObject, PushRequest } from "./messages";
import { Actor, ReferenceServer } from "./reference/server";

const DIR = new URL("../../../sync/vectors/", import.meta.url);

interface Vector {
  name: string;
  title: string;
  layers: string[];
  people: { id: string; name: string; unit_path: string; grants: [string, string][]; phone: string | null; credentials: { id: string; jwk: JsonWebKey }[] }[];
  devices: { id: string; person: string }[];
  entities: { entity: string; id: string; version: number; scope_path: string; owner: string | null; data: JsonObject }[];
  steps: JsonObject[];
  final: JsonObject[];
}

const vectors: Vector[] = readdirSync(DIR)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, DIR), "utf8")) as Vector)
  .filter((v) => v.layers.includes("typescript"));

/** Where `actual` differs from the partial expectation (twin of tests/sync/vectors.py mismatch). */
export function mismatch(expected: unknown, actual: unknown, where = "$"): string | null {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${where}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in (actual as JsonObject))) return `${where}.${k}: missing`;
      const found = mismatch(v, (actual as JsonObject)[k], `${where}.${k}`);
      if (found) return found;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const found = mismatch(expected[i], actual[i], `${where}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  return expected === actual ? null : `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function serverFor(vec: Vector): ReferenceServer {
  const server = new ReferenceServer();
  for (const p of vec.people) {
    server.addActor(new Actor(p.id, p.unit_path, p.grants.map(([r, s]) => [r, s]), new Map(p.credentials.map((c) => [c.id, c.jwk]))));
    const data = { name: p.name, phone: p.phone, locale: "zh-CN", unit_path: p.unit_path, employment: "active" };
    server.seed({ entity: "person", entity_id: p.id, version: 1, data, scope_path: p.unit_path, owner_id: p.id, deleted: false });
  }
  for (const d of vec.devices) server.devices.set(d.id, d.person);
  for (const e of vec.entities) {
    server.seed({ entity: e.entity, entity_id: e.id, version: e.version, data: structuredClone(e.data), scope_path: e.scope_path, owner_id: e.owner, deleted: false });
  }
  return server;
}

async function run(vec: Vector): Promise<void> {
  const server = serverFor(vec);
  const pulls = new Map<string, { cursor: number; scope: string }>();
  for (const [number, step] of vec.steps.entries()) {
    const where = `${vec.name} step ${number}`;
    const at = step.at as number;
    if (step.push) {
      const spec = step.push as { person: string; device: string; sent_at: number | null; ops: unknown[] };
      const request: PushRequest = { device_id: spec.device, ops: structuredClone(spec.ops), sent_at: spec.sent_at };
      const response = await server.push(spec.person, request, at);
      if (step.expect) expect(mismatch(step.expect, response.results, where)).toBeNull();
    } else if (step.grants) {
      const spec = step.grants as { person: string; grants: [string, string][] };
      server.actors.get(spec.person)!.grants = spec.grants;
    } else if (step.write) {
      const spec = step.write as { entity: string; id: string; data?: JsonObject; deleted?: boolean };
      server.write(spec.entity, spec.id, spec.data, spec.deleted);
    } else if (step.pull) {
      const spec = step.pull as { person: string; client: string };
      let { cursor, scope } = pulls.get(spec.client) ?? { cursor: 0, scope: "" };
      const puts = new Map<string, number>();
      const dels: string[] = [];
      let reset = false;
      for (;;) {
        const page = await server.pull(spec.person, { cursor, scope }, at);
        reset ||= page.reset;
        for (const change of page.changes) {
          if (change.type === "put") puts.set(change.entity_id, change.version);
          else dels.push(change.entity_id);
        }
        ({ cursor, scope } = page);
        if (!page.more) break;
      }
      pulls.set(spec.client, { cursor, scope });
      const wanted = step.expect as { put: string[]; del: string[]; reset: boolean; versions?: Record<string, number> };
      expect([...puts.keys()].sort(), where).toEqual([...wanted.put].sort());
      expect(dels.sort(), where).toEqual([...wanted.del].sort());
      expect(reset, where).toBe(wanted.reset);
      for (const [id, version] of Object.entries(wanted.versions ?? {})) expect(puts.get(id), where).toBe(version);
    }
  }
  for (const expected of vec.final) {
    const found = server.entities.get(`${String(expected.entity)}/${String(expected.id)}`);
    const where = `${vec.name} final ${String(expected.entity)} ${String(expected.id)}`;
    if (expected.absent) {
      expect(found, where).toBeUndefined();
      continue;
    }
    expect(found, where).toBeDefined();
    const { entity: _e, id: _i, ...rest } = expected;
    expect(mismatch(rest, { version: found!.version, data: found!.data, deleted: found!.deleted }, where)).toBeNull();
  }
}

describe("shared sync vectors", () => {
  it("are at least twenty", () => expect(vectors.length).toBeGreaterThanOrEqual(20));
  for (const vec of vectors) it(`${vec.name}: ${vec.title}`, () => run(vec));
});

describe("canonical JSON", () => {
  const cases = JSON.parse(readFileSync(new URL("canonical/cases.json", DIR), "utf8")) as { name: string; input: string; canonical: string; sha256?: string }[];
  for (const c of cases) {
    it(c.name, async () => {
      const data = JSON.parse(c.input) as JsonObject;
      if (c.sha256) {
        const digest = await opChallenge(data);
        expect([...digest].map((b) => b.toString(16).padStart(2, "0")).join("")).toBe(c.sha256);
        delete data.signature;
      }
      expect(canonicalJson(data)).toBe(c.canonical);
    });
  }
});
