import { describe, expect, it } from "vitest";
import { decode as b45decode, encode as b45encode } from "./base45";
import vectors from "./vectors.json";
import { loadTrustList, TrustError, verifyCode, type Synced } from "./verify";

const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const root = bytes(vectors.root);

describe("badge vectors (shared with backend/badges)", async () => {
  const trust = await loadTrustList(bytes(vectors.trust_list), root);

  for (const c of vectors.cases) {
    it(c.name, async () => {
      const v = await verifyCode({
        text: c.text,
        trust,
        now: c.now,
        synced: c.synced as Synced | null,
        required: c.required as string[][] | null,
      });
      expect({ verdict: v.verdict, codes: v.reasons.map((r) => r.code).sort(), name: v.worker?.name ?? null }).toEqual(
        c.expect,
      );
    });
  }

  for (const bad of vectors.trust_list_bad) {
    it(`trust list refused: ${bad.name}`, async () => {
      await expect(loadTrustList(bytes(bad.data), root)).rejects.toBeInstanceOf(TrustError);
    });
  }
});

describe("base45 (RFC 9285 examples)", () => {
  it("encodes and decodes the RFC's examples", () => {
    const enc = (s: string) => b45encode(new TextEncoder().encode(s));
    expect(enc("AB")).toBe("BB8");
    expect(enc("Hello!!")).toBe("%69 VD92EX0");
    expect(enc("base-45")).toBe("UJCLQE7W581");
    expect(new TextDecoder().decode(b45decode("QED8WEX0"))).toBe("ietf!");
    expect(() => b45decode("GGW")).toThrow();
  });
});
