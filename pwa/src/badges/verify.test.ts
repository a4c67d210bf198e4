import { describe, expect, it } from "vitest";
import { decode as b45decode, encode as b45encode } from "./base45";
import vectors from "./vectors.json";
import { loadTrustList, requiredOf, TrustError, verifyCode, type PermitNeed, type Synced } from "./verify";

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

describe("a picked permit (the twin of backend/badges/verify.py PermitNeed)", async () => {
  const trust = await loadTrustList(bytes(vectors.trust_list), root);
  const byName = (n: string) => vectors.cases.find((c) => c.name === n)!;
  const run = async (name: string, permit: PermitNeed) => {
    const c = byName(name);
    const v = await verifyCode({ text: c.text, trust, now: c.now, synced: c.synced as Synced | null, permit });
    return { verdict: v.verdict, codes: v.reasons.map((r) => r.code).sort(), detail: v.reasons.map((r) => r.detail) };
  };
  const workerOf = async (name: string) => {
    const c = byName(name);
    return (await verifyCode({ text: c.text, trust, now: c.now, synced: c.synced as Synced | null })).worker!.id;
  };

  it("worker on the permit whose certificates cover their role: green", async () => {
    const covered = byName("certificates cover the work");
    const permit = { number: "DH-1", people: { [await workerOf(covered.name)]: ["operator"] }, needs: { operator: covered.required as string[][] } };
    expect(await run(covered.name, permit)).toMatchObject({ verdict: "green", codes: [] });
  });

  it("a role needing what the worker lacks: red certificate_missing", async () => {
    const lacking = byName("certificate not covering the work");
    const id = await workerOf(lacking.name);
    const permit = { number: "DZ-1", people: { [id]: ["operator"] }, needs: { operator: lacking.required as string[][] } };
    expect((await run(lacking.name, permit)).codes).toEqual(["certificate_missing"]);
    // the same worker as guardian of a permit whose guardian needs nothing: green
    expect((await run(lacking.name, { ...permit, people: { [id]: ["guardian"] } })).verdict).toBe("green");
  });

  it("a worker not on the permit: red not_on_permit, with the permit number", async () => {
    const covered = byName("certificates cover the work");
    const permit = { number: "DH-7", people: { "0190f5a2-7c1e-7000-8000-00000000ffff": ["operator"] }, needs: {} };
    const got = await run(covered.name, permit);
    expect(got).toMatchObject({ verdict: "red", codes: ["not_on_permit"], detail: ["DH-7"] });
  });

  it("joins the needs of all the worker's roles", () => {
    const p = { number: "X", people: { a: ["operator", "guardian"] }, needs: { operator: [["x"]], guardian: [["y", "z"]] } };
    expect(requiredOf(p, "a")).toEqual([["x"], ["y", "z"]]);
    expect(requiredOf(p, "b")).toBeNull();
  });
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
