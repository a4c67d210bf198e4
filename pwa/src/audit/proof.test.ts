import { describe, expect, it } from "vitest";

import {
  canonicalJson,
  fromBase64,
  type HistoryEntry,
  leafHash,
  markOf,
  toBase64,
  type TreeHead,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from "./proof";
import { vectors } from "./vectors";

const { key, old_head: oldHead, history } = vectors;
const head = history.tree_head as TreeHead;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const covered = history.entries.filter((e) => e.audit_path !== null);

describe("canonical JSON", () => {
  it("sorts keys by code point, drops spaces and refuses fractions", () => {
    expect(canonicalJson({ b: [1, { z: null, a: true }], a: "甲\"\n" })).toBe('{"a":"甲\\"\\n","b":[1,{"a":true,"z":null}]}');
    expect(canonicalJson({ "\uff01": 1, "\u{1d400}": 2 })).toBe('{"！":1,"𝐀":2}');
    expect(() => canonicalJson({ lel: 1.5 })).toThrow(TypeError);
  });
});

describe("entries made by the backend", () => {
  it("verify against the signed tree head, one pending until the next head", async () => {
    expect(await verifyTreeHead(head, key)).toBe(true);
    const marks = await Promise.all(history.entries.map((e) => markOf(e, head)));
    expect(marks).toEqual(history.entries.map((e) => (e.leaf_index < head.tree_size ? "verified" : "pending")));
    expect(marks.filter((m) => m === "pending")).toHaveLength(1);
    expect(history.entries.some((e) => e.evidence === null)).toBe(true); // withheld evidence still verifies
  });

  it("fail when any field, the proof or the index is changed", async () => {
    const entry = covered[1]!;
    const changes: ((e: HistoryEntry) => void)[] = [
      (e) => (e.action = "auth.logout"),
      (e) => (e.time = e.time.replace(":0", ":1")),
      (e) => (e.details = { ...e.details, forged: 1 }),
      (e) => (e.leaf_index += 1),
      (e) => (e.actor_id = null),
      (e) => (e.audit_path = [...e.audit_path!].reverse()),
      (e) => (e.leaf_hash = toBase64(new Uint8Array(32))),
    ];
    for (const change of changes) {
      const forged = clone(entry);
      change(forged);
      expect(await markOf(forged, head), change.toString()).toBe("failed");
    }
    const shown = covered.find((e) => e.evidence !== null)!;
    const spoofed = clone(shown);
    spoofed.evidence!.ip = "203.0.113.9";
    expect(await markOf(spoofed, head)).toBe("failed");
  });

  it("check the inclusion proof itself (RFC 9162 §2.1.3.2)", async () => {
    const entry = covered[0]!;
    const leaf = await leafHash(entry);
    const path = entry.audit_path!.map(fromBase64);
    const root = fromBase64(head.sha256_root_hash);
    expect(await verifyInclusion(leaf, entry.leaf_index, head.tree_size, path, root)).toBe(true);
    expect(await verifyInclusion(leaf, entry.leaf_index, head.tree_size + 1, path, root)).toBe(false);
    expect(await verifyInclusion(leaf, head.tree_size, head.tree_size, path, root)).toBe(false);
  });
});

describe("tree heads", () => {
  it("are consistent from the older head to the newer one (RFC 9162 §2.1.4.2)", async () => {
    expect(await verifyTreeHead(oldHead, key)).toBe(true);
    const proof = vectors.consistency.map(fromBase64);
    const [oldRoot, newRoot] = [fromBase64(oldHead.sha256_root_hash), fromBase64(head.sha256_root_hash)];
    expect(await verifyConsistency(oldHead.tree_size, head.tree_size, oldRoot, newRoot, proof)).toBe(true);
    const forked = new Uint8Array(oldRoot);
    forked[0]! ^= 1;
    expect(await verifyConsistency(oldHead.tree_size, head.tree_size, forked, newRoot, proof)).toBe(false);
    expect(await verifyConsistency(oldHead.tree_size, head.tree_size, oldRoot, newRoot, proof.slice(1))).toBe(false);
  });

  it("refuse a changed head, a key that is not the one named, or another key", async () => {
    expect(await verifyTreeHead({ ...head, tree_size: head.tree_size + 1 }, key)).toBe(false);
    expect(await verifyTreeHead(head, { ...key, key_id: oldHead.sha256_root_hash })).toBe(false);
    const other = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", other.publicKey));
    const pem = `-----BEGIN PUBLIC KEY-----\n${toBase64(spki)}\n-----END PUBLIC KEY-----\n`;
    const otherId = toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", spki)));
    const imposter = { key_id: otherId, signature_algorithm: key.signature_algorithm, public_key_pem: pem };
    expect(await verifyTreeHead({ ...head, key_id: otherId }, imposter)).toBe(false);
  });
});
