/**
 * Audit-log checks done on this device with WebCrypto, trusting nothing the server computed:
 * the entry's leaf is rebuilt from its fields (docs/SECURITY.md, "Audit log"), its inclusion
 * proof is walked up to the signed root (RFC 9162 §2.1.3.2), the tree head's ECDSA P-256
 * signature is checked, and a newer head must be consistent with the last one seen (§2.1.4.2).
 */

export interface TreeHead {
  tree_size: number;
  timestamp: number;
  sha256_root_hash: string;
  tree_head_signature: string;
  key_id: string;
  signature_algorithm: string;
  issued_at: string;
}

export interface Evidence {
  channel: string;
  ip: string;
  user_agent: string;
  credential_id: string | null;
  device_id: string | null;
  device_time: string | null;
}

/** `GET /api/audit/history` items (backend/audit/schemas.py HistoryEntryOut). */
export interface HistoryEntry {
  leaf_index: number;
  time: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity: string;
  entity_id: string;
  entity_version: number | null;
  details: Record<string, unknown>;
  details_digest: string;
  evidence: Evidence | null;
  evidence_digest: string;
  leaf_hash: string;
  audit_path: string[] | null;
}

export interface History {
  entity: string;
  entity_id: string;
  tree_head: TreeHead | null;
  entries: HistoryEntry[];
}

export interface LogKey {
  key_id: string;
  signature_algorithm: string;
  public_key_pem: string;
}

type Bytes = Uint8Array<ArrayBuffer>;
const encoder = new TextEncoder();

export function fromBase64(text: string): Bytes {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let raw = "";
  for (const b of bytes) raw += String.fromCharCode(b);
  return btoa(raw);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Bytes));
}

/** Code-point order, as Python sorts str keys (UTF-16 order differs above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/** Canonical JSON: keys sorted, no spaces, integers only — the server's `canonical_json`. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError("audit JSON holds integers only");
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

export async function digestOf(value: unknown): Promise<string> {
  return hex(await sha256(encoder.encode(canonicalJson(value))));
}

/** SHA-256(0x00 ‖ leaf): the leaf commits to every field, the details and evidence by digest. */
export async function leafHash(e: HistoryEntry): Promise<Bytes> {
  const leaf = canonicalJson({
    action: e.action,
    actor: e.actor_id,
    details: e.details_digest,
    entity: e.entity,
    entity_id: e.entity_id,
    entity_version: e.entity_version,
    evidence: e.evidence_digest,
    index: e.leaf_index,
    time: e.time,
    v: 1,
  });
  return sha256(concat(new Uint8Array([0]), encoder.encode(leaf)));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** RFC 9162 §2.1.3.2: does `path` lead from leaf `index` of a tree of `size` to `root`? */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree of `second` leaves an extension of the tree of `first`? */
export async function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
): Promise<boolean> {
  if (first === second) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  if (first <= 0 || first > second || proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot) && sn === 0;
}

/** RFC 6962 §3.5 TreeHeadSignature: version 0, tree_hash 1, uint64 timestamp, uint64 size, root. */
export function treeHeadPayload(head: TreeHead): Bytes {
  const out = new Uint8Array(50);
  const view = new DataView(out.buffer);
  view.setUint8(0, 0);
  view.setUint8(1, 1);
  view.setBigUint64(2, BigInt(head.timestamp));
  view.setBigUint64(10, BigInt(head.tree_size));
  out.set(fromBase64(head.sha256_root_hash), 18);
  return out;
}

function spkiOf(pem: string): Bytes {
  return fromBase64(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, ""));
}

/** The key is the one it claims to be, and it signed this head (ECDSA P-256, raw r‖s). */
export async function verifyTreeHead(head: TreeHead, key: LogKey): Promise<boolean> {
  const spki = spkiOf(key.public_key_pem);
  if (toBase64(await sha256(spki)) !== key.key_id || head.key_id !== key.key_id) return false;
  const publicKey = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, [
    "verify",
  ]);
  const signature = fromBase64(head.tree_head_signature);
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, signature, treeHeadPayload(head));
}

export type Mark = "verified" | "pending" | "failed";

/** One entry against a head whose signature was already checked. */
export async function markOf(entry: HistoryEntry, head: TreeHead | null): Promise<Mark> {
  try {
    if ((await digestOf(entry.details)) !== entry.details_digest) return "failed";
    if (entry.evidence && (await digestOf(entry.evidence)) !== entry.evidence_digest) return "failed";
    const leaf = await leafHash(entry);
    if (toBase64(leaf) !== entry.leaf_hash) return "failed";
    if (!head || !entry.audit_path || entry.leaf_index >= head.tree_size) return "pending";
    const path = entry.audit_path.map(fromBase64);
    const root = fromBase64(head.sha256_root_hash);
    return (await verifyInclusion(leaf, entry.leaf_index, head.tree_size, path, root)) ? "verified" : "failed";
  } catch {
    return "failed";
  }
}
