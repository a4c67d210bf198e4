import { describe, expect, it } from "vitest";

import { canonicalDecision, canonicalJSON, sha256, type DecisionInput } from "./decision";
import vectors from "./decision-vectors.json";

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("canonical permit decisions", () => {
  for (const vector of vectors.vectors) {
    it(`matches the server's bytes for ${vector.input.step}`, async () => {
      const text = canonicalDecision(vector.input as DecisionInput);
      expect(text).toBe(vector.canonical);
      expect(hex(await sha256(text))).toBe(vector.sha256);
    });
  }

  it("sorts keys at every level", () => {
    expect(canonicalJSON({ b: 1, a: { d: null, c: "中" } })).toBe('{"a":{"c":"中","d":null},"b":1}');
  });
});
