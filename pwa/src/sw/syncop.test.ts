import "fake-indexeddb/auto";

import { describe, expect, it } from "vitest";

import { formatHlc, HlcClock, parseHlc } from "../sync/hlc";
import { openSyncDb } from "../sync/store";
import { uuid7 } from "../sync/uuid";
import { nextHlc, recordSyncOp, uuid7 as workerUuid7 } from "./syncop";

describe("the worker's copies of the sync clock and ids", () => {
  it("tick exactly like the app's HlcClock", () => {
    const cases: [string | undefined, number][] = [
      [undefined, 1_700_000_000_123],
      ["1700000000123:00000:d", 1_700_000_000_123],
      ["1700000000123:00007:d", 1_600_000_000_000],
      ["1700000000123:99999:d", 1_700_000_000_000],
      ["1700000000123:00002:d", 1_800_000_000_000],
    ];
    for (const [last, now] of cases) {
      const app = formatHlc(new HlcClock("d", last ? parseHlc(last) : undefined).tick(now));
      expect(nextHlc(last, "d", now)).toBe(app);
    }
  });

  it("mint UUIDv7 ids that sort by time", () => {
    const [a, b] = [workerUuid7(1000), workerUuid7(2000)];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(uuid7(1000).slice(0, 13)).toBe(a.slice(0, 13));
  });
});

describe("an op recorded by the service worker", () => {
  it("lands in the person's sync outbox with the device id and a later HLC", async () => {
    const person = uuid7();
    const device = uuid7();
    const db = await openSyncDb(person);
    await db.put("meta", device, "device_id");
    await db.put("meta", `9999999999999:00003:${device}`, "hlc"); // the page's clock ran ahead
    db.close();
    const alarm = uuid7();
    const opId = await recordSyncOp(indexedDB, person, "alarm.ack", "alarm", alarm, { acked_on_device_at: "x" }, 1000);
    expect(opId).toBeTruthy();
    const after = await openSyncDb(person);
    const record = await after.get("outbox", opId!);
    const hlc = (await after.get("meta", "hlc")) as string;
    after.close();
    expect(record).toMatchObject({ acked_seq: null, attempts: 0, recorded_at: 1000 });
    expect(record!.op).toMatchObject({ device_id: device, kind: "alarm.ack", entity: "alarm", entity_id: alarm });
    expect(record!.hlc).toBe(hlc);
    expect(parseHlc(hlc)).toEqual({ wall: 9999999999999, counter: 4, node: device }); // never backwards
  });

  it("creates nothing for a person who never signed in on this phone", async () => {
    const stranger = uuid7();
    expect(await recordSyncOp(indexedDB, stranger, "alarm.ack", "alarm", uuid7(), {})).toBeNull();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(`tezuo-sync-${stranger}`);
  });
});
