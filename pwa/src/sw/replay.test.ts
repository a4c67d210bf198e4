import "fake-indexeddb/auto";

import { describe, expect, it } from "vitest";

import { openSyncDb } from "../sync/store";
import { uuid7 } from "../sync/uuid";
import { replayOutboxes } from "./replay";

describe("Background Sync replay", () => {
  it("sends every undecided op of every person's database, oldest first, and no decided one", async () => {
    const person = uuid7();
    const db = await openSyncDb(person);
    const device = uuid7();
    await db.put("meta", device, "device_id");
    const op = (hlc: string) => ({ op_id: uuid7(), device_id: device, hlc, kind: "gas.record", entity: "gas_reading", entity_id: uuid7(), args: {} });
    const later = op("1795852900000:00000:d");
    const earlier = op("1795852800000:00000:d");
    const decided = op("1795852700000:00000:d");
    for (const [o, acked] of [[later, null], [earlier, null], [decided, 7]] as const) {
      await db.put("outbox", { op_id: o.op_id, hlc: o.hlc, op: o, acked_seq: acked, attempts: 0, recorded_at: 0 });
    }
    db.close();
    const bodies: unknown[] = [];
    const sent = await replayOutboxes(indexedDB, async (body) => {
      bodies.push(JSON.parse(body));
      return new Response("{}", { status: 200 });
    }, () => 42);
    expect(sent).toBe(2);
    expect(bodies).toEqual([{ device_id: device, ops: [earlier, later], sent_at: 42 }]);
  });

  it("fails while offline so the browser tries again later", async () => {
    const db = await openSyncDb(uuid7());
    await db.put("meta", uuid7(), "device_id");
    await db.put("outbox", { op_id: "x", hlc: "1", op: {} as never, acked_seq: null, attempts: 0, recorded_at: 0 });
    db.close();
    await expect(replayOutboxes(indexedDB, () => Promise.reject(new TypeError("Failed to fetch")))).rejects.toThrow("fetch");
  });
});
