import { describe, expect, it } from "vitest";

import { DEVICE_HEADER, deviceHeaders, deviceId, HLC_HEADER } from "./device";
import { parseHlc } from "./sync/hlc";
import { memoryStorage } from "./test-support";

describe("device evidence", () => {
  it("keeps one device id per install", () => {
    const storage = memoryStorage();
    const id = deviceId(storage);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(deviceId(storage)).toBe(id);
  });

  it("sends an HLC that never goes backwards when the wall clock does", () => {
    const storage = memoryStorage();
    let wall = Date.UTC(2026, 10, 28, 8, 0, 0, 120);
    const sent: string[] = [];
    for (const step of [0, -5000, 0, 60_000]) {
      wall += step;
      const headers = deviceHeaders(() => wall, storage);
      expect(headers[DEVICE_HEADER]).toBe(deviceId(storage));
      sent.push(headers[HLC_HEADER]!);
    }
    expect(sent).toEqual([...sent].sort());
    expect(new Set(sent).size).toBe(4);
    expect(parseHlc(sent[1]!)).toMatchObject({ wall: Date.UTC(2026, 10, 28, 8, 0, 0, 120), counter: 1 });
    expect(sent[0]!.length).toBeLessThanOrEqual(64); // fits the audit log's device_time column
  });
});
