import { describe, expect, it } from "vitest";

import { forgetMe, loadMe, saveMe } from "./session";
import { meFactory, memoryStorage } from "./test-support";

describe("saved profile", () => {
  it("round-trips the last /me answer with the time it was saved", () => {
    const storage = memoryStorage();
    const me = meFactory();
    saveMe(me, new Date("2026-11-28T08:30:00Z"), storage);
    expect(loadMe(storage)).toEqual({ me, savedAt: "2026-11-28T08:30:00.000Z" });
    forgetMe(storage);
    expect(loadMe(storage)).toBeNull();
  });

  it("ignores what it cannot read instead of crashing the app", () => {
    const storage = memoryStorage();
    storage.set("tezuo.me.v1", "{not json");
    expect(loadMe(storage)).toBeNull();
    storage.set("tezuo.me.v1", JSON.stringify({ me: { name: "x" }, savedAt: "2026-01-01" }));
    expect(loadMe(storage)).toBeNull();
  });
});
