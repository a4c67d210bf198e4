import { describe, expect, it } from "vitest";

import { applyOp } from "../sync/mutators";
import type { Operation } from "../sync/messages";
import { decode as b45decode } from "./base45";
import { countdown } from "./MyCode";
import { needsRefresh, type CachedCode } from "./local";
import { qrPicture } from "./qr";
import vectors from "./vectors.json";

describe("the worker's code page", () => {
  it("draws the six-certificate code at QR version ≤ 15 (ECC M, alphanumeric)", () => {
    const six = vectors.cases.find((c) => c.name === "valid, six certificates")!;
    const pic = qrPicture(six.text);
    expect(pic.version).toBeLessThanOrEqual(15);
    expect(pic.size).toBe(pic.version * 4 + 17 + 8);
    expect(pic.path.length).toBeGreaterThan(1000);
    expect(() => b45decode(six.text.slice(4))).not.toThrow();
  });

  it("counts down and never goes negative", () => {
    expect(countdown(3 * 3600_000 + 61_500)).toBe("03:01:01");
    expect(countdown(-5)).toBe("00:00:00");
  });

  it("renews a cached code after an hour or within 12 h of expiry", () => {
    const now = Date.parse("2026-11-28T08:00:00Z");
    const code = (fetchedAgoMs: number, expiresInMs: number): CachedCode => ({
      text: "TZ1:",
      kid: "",
      issued_at: "",
      server_time: "",
      expires_at: new Date(now + expiresInMs).toISOString(),
      fetched_at: now - fetchedAgoMs,
    });
    expect(needsRefresh(null, now)).toBe(true);
    expect(needsRefresh(code(60_000, 23 * 3600_000), now)).toBe(false);
    expect(needsRefresh(code(2 * 3600_000, 20 * 3600_000), now)).toBe(true);
    expect(needsRefresh(code(60_000, 11 * 3600_000), now)).toBe(true);
  });
});

describe("badge.scan in the offline view", () => {
  it("shows the inspector's pending scan", () => {
    const state = new Map();
    const op: Operation = {
      op_id: "0190f5a2-7c1e-7000-8000-000000000001",
      device_id: "0190f5a2-7c1e-7000-8000-000000000002",
      hlc: "1795852800000:00000:dev",
      kind: "badge.scan",
      entity: "badge_scan",
      entity_id: "0190f5a2-7c1e-7000-8000-000000000003",
      args: { code: "TZ1:X", verdict: "red", reasons: ["expired"] },
    };
    applyOp(state, op, "me");
    expect([...state.values()][0]).toMatchObject({ inspector_id: "me", verdict: "red", scanned_at: 1795852800000 });
  });
});
