import { describe, expect, it } from "vitest";

import { deviceId, HybridClock } from "./device";
import { memoryStorage } from "./test-support";

describe("device evidence", () => {
  it("keeps one device id per install", () => {
    const storage = memoryStorage();
    const id = deviceId(storage);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(deviceId(storage)).toBe(id);
  });

  it("never goes backwards when the wall clock does", () => {
    let wall = Date.UTC(2026, 10, 28, 8, 0, 0, 120);
    const clock = new HybridClock("0b7c6e1e", () => wall);
    const first = clock.now();
    wall -= 5000; // the phone's clock was corrected backwards
    const second = clock.now();
    const third = clock.now();
    wall += 60_000;
    const fourth = clock.now();
    expect(first).toBe("2026-11-28T08:00:00.120Z-0000-0b7c6e1e");
    expect(second).toBe("2026-11-28T08:00:00.120Z-0001-0b7c6e1e");
    expect([first, second, third, fourth]).toEqual([first, second, third, fourth].slice().sort());
    expect(fourth).toBe("2026-11-28T08:00:55.120Z-0000-0b7c6e1e");
  });
});
