/** A signed permit decision goes out at once when it can, else waits in the sync outbox as `permit.approve`. */

import "fake-indexeddb/auto";

import { afterEach, describe, expect, it } from "vitest";

import { Api, ApiError } from "../api";
import { SyncEngine, type Transport } from "../sync/engine";
import { engineStore } from "../sync/live";
import { uuid7 } from "../sync/uuid";
import { permitsApi } from "./api";
import { sendDecision, type SignedDecision } from "./decision";

const PERMIT = "0195f000-0000-7000-8000-000000000301";
const SIGNED: SignedDecision = {
  step: "s1.safety_officer",
  decision: "approve",
  comment: "",
  location: { lat_e6: 32257812, lon_e6: 118739946, accuracy_m: 8 },
  signed_at: "2026-11-30T09:05:00+08:00",
  permit_version: 1,
  content_sha256: "ab".repeat(32),
};
const CREDENTIAL = { id: "cred", rawId: "cred", type: "public-key", response: { signature: "sig" } };

/** No network at all: every request fails the way fetch does offline. */
const offline: Transport = {
  push: () => Promise.reject(new TypeError("Failed to fetch")),
  pull: () => Promise.reject(new TypeError("Failed to fetch")),
};

async function engineDeciding(kinds: string[]): Promise<SyncEngine> {
  const engine = await SyncEngine.open(uuid7(), offline, { dbKey: uuid7(), random: () => 0.5 });
  engine.commands = new Set(kinds);
  engineStore.set(engine);
  return engine;
}

/** The permits API over a fetch that answers `respond()` (or throws, like fetch offline). */
function apiAnswering(respond: () => Promise<Response>) {
  const calls: string[] = [];
  const client = new Api(async (path) => {
    calls.push(path);
    return respond();
  });
  return { api: permitsApi(client), calls };
}

afterEach(() => {
  engineStore.get()?.close();
  engineStore.set(null);
});

describe("sendDecision", () => {
  it("queues the signed decision as permit.approve when the phone is offline", async () => {
    const engine = await engineDeciding(["permit.approve"]);
    const { api, calls } = apiAnswering(() => Promise.reject(new TypeError("Failed to fetch")));

    expect(await sendDecision(PERMIT, SIGNED, CREDENTIAL, api, () => false)).toBe("queued");

    expect(calls).toEqual([]); // not even tried
    const [entry] = await engine.outbox();
    expect(entry.op).toMatchObject({ kind: "permit.approve", entity: "permit", entity_id: PERMIT, args: SIGNED });
    expect(entry.op.signature).toEqual(CREDENTIAL); // the assertion over the canonical decision, as made
  });

  it("queues it when the request never reached the server", async () => {
    const engine = await engineDeciding(["permit.approve"]);
    const { api, calls } = apiAnswering(() => Promise.reject(new TypeError("Failed to fetch")));

    expect(await sendDecision(PERMIT, SIGNED, CREDENTIAL, api, () => true)).toBe("queued");

    expect(calls).toHaveLength(1);
    expect(await engine.outbox()).toHaveLength(1);
  });

  it("shows the server's refusal instead of queueing it", async () => {
    const engine = await engineDeciding(["permit.approve"]);
    const problem = { code: "permit_cancelled", detail: "作业票 已取消" };
    const { api } = apiAnswering(async () => new Response(JSON.stringify(problem), { status: 409 }));

    await expect(sendDecision(PERMIT, SIGNED, CREDENTIAL, api, () => true)).rejects.toBeInstanceOf(ApiError);
    expect(await engine.outbox()).toEqual([]);
  });

  it("does not queue what the server would never decide (an older server)", async () => {
    const engine = await engineDeciding(["worker.update_contact"]);
    const { api } = apiAnswering(() => Promise.reject(new TypeError("Failed to fetch")));

    await expect(sendDecision(PERMIT, SIGNED, CREDENTIAL, api, () => false)).rejects.toThrow(/fetch/);
    expect(await engine.outbox()).toEqual([]);
  });
});
