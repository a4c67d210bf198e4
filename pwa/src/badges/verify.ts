// Offline verification of a scanned badge code: the twin of backend/badges/verify.py, pinned by
// the shared vectors (vectors.json). Trust list → signature → validity → freeze list → coverage.
import { Base45Error, decode as b45decode } from "./base45";
import { decode as cborDecode } from "./cbor";
import { CoseError, importKey, parse, verify as coseVerify, type Sign1 } from "./cose";

export const PREFIX = "TZ1:";
const CLAIM = -65537;
const MAX_INFLATED = 16384;

export type Level = "red" | "amber" | "green";
export interface Reason {
  level: Level;
  code: string;
  detail: string;
}
/** [family, item key, masked number, valid until (epoch day), review due (epoch day) | null] */
export type CertWire = [string, string, string, number, number | null];

export interface TrustKey {
  kid: Uint8Array;
  pub: Uint8Array;
  nb: number;
  na: number | null;
  rv: number | null;
}
export interface TrustList {
  v: number;
  iss: string;
  iat: number;
  tz: number;
  stale: number;
  keys: TrustKey[];
}
export interface SyncedWorker {
  w: string;
  n: string;
  m?: string;
  p?: string;
  v?: number;
  c?: CertWire[];
}
export interface Synced {
  as_of: number;
  workers?: SyncedWorker[];
  frozen?: { w: string; since: number; item?: string | null }[];
}
export interface Worker {
  id: string;
  name: string;
  id_masked: string;
  photo_hash: string;
  status: string;
  violations: number;
  certs: CertWire[];
}
export interface Verdict {
  verdict: Level;
  reasons: Reason[];
  kind: "dynamic" | "badge" | null;
  kid: string | null;
  worker: Worker | null;
  issued_at: number | null;
  expires_at: number | null;
}

export class TrustError extends Error {}

// Imported once per trust-list key: importKey costs more than the verification itself.
const imported = new WeakMap<TrustKey, Promise<CryptoKey>>();
function cryptoKeyOf(key: TrustKey): Promise<CryptoKey> {
  let found = imported.get(key);
  if (!found) {
    found = importKey(key.pub);
    imported.set(key, found);
  }
  return found;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const intOrNull = (x: unknown): x is number | null => x === null || x === undefined || isInt(x);

export function uuidOf(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_INFLATED) {
      await reader.cancel();
      throw new Error("inflated too large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Verify the trust list against the pinned root key (raw P-256 point), then decode it. */
export async function loadTrustList(data: Uint8Array, root: Uint8Array): Promise<TrustList> {
  let msg: Sign1;
  try {
    msg = parse(data);
  } catch (e) {
    throw new TrustError((e as Error).message);
  }
  if (!(await coseVerify(await importKey(root), msg)))
    throw new TrustError("trust list signature does not verify with the pinned root key");
  const body = cborDecode(msg.payload);
  if (!(body instanceof Map) || !Array.isArray(body.get("keys"))) throw new TrustError("trust list malformed");
  const keys = (body.get("keys") as unknown[]).map((k) => {
    if (!(k instanceof Map)) throw new TrustError("trust list key malformed");
    const [kid, pub, nb, na, rv] = ["kid", "pub", "nb", "na", "rv"].map((f) => k.get(f));
    if (!(kid instanceof Uint8Array) || !(pub instanceof Uint8Array) || !isInt(nb) || !intOrNull(na) || !intOrNull(rv))
      throw new TrustError("trust list key malformed");
    return { kid, pub, nb, na: na ?? null, rv: rv ?? null };
  });
  const [v, iss, iat, tz, stale] = ["v", "iss", "iat", "tz", "stale"].map((f) => body.get(f));
  if (!isInt(v) || typeof iss !== "string" || !isInt(iat) || !isInt(tz) || !isInt(stale))
    throw new TrustError("trust list malformed");
  return { v, iss, iat, tz, stale, keys };
}

interface Claims {
  iat: number;
  exp: number;
  t: "d" | "b";
  w: Uint8Array;
  n?: string;
  m?: string;
  p?: Uint8Array;
  s?: string;
  v?: number;
  c?: CertWire[];
}

function certOk(c: unknown): c is CertWire {
  return (
    Array.isArray(c) &&
    c.length === 5 &&
    c.slice(0, 3).every((x) => typeof x === "string") &&
    isInt(c[3]) &&
    (c[4] === null || isInt(c[4]))
  );
}

function claimsOf(payload: Uint8Array): Claims | null {
  let top: unknown;
  try {
    top = cborDecode(payload);
  } catch {
    return null;
  }
  if (!(top instanceof Map)) return null;
  const inner = top.get(CLAIM);
  if (!(inner instanceof Map)) return null;
  const w = inner.get("w");
  const t = inner.get("t");
  if (typeof top.get(1) !== "string" || !isInt(top.get(4)) || !isInt(top.get(6))) return null;
  if ((t !== "d" && t !== "b") || !(w instanceof Uint8Array) || w.length !== 16) return null;
  const out: Claims = { iat: top.get(6) as number, exp: top.get(4) as number, t, w };
  if (t === "b") return out;
  const [n, m, p, s, v, c] = ["n", "m", "p", "s", "v", "c"].map((f) => inner.get(f));
  if (typeof n !== "string" || (s !== "active" && s !== "frozen") || !isInt(v)) return null;
  if (!Array.isArray(c) || !c.every(certOk)) return null;
  return { ...out, n, m: typeof m === "string" ? m : "", p: p instanceof Uint8Array ? p : new Uint8Array(0), s, v, c };
}

const usable = (c: CertWire, today: number): boolean => c[3] >= today && (c[4] === null || c[4] >= today);

/** A picked permit as the phone has it: who is on it in which roles, and what each role needs. */
export interface PermitNeed {
  number: string;
  people: Record<string, string[]>; // person id → permit roles (operator, guardian, applicant)
  needs: Record<string, string[][]>; // role → each needed certificate as the items that cover it
}

/** What the worker's roles on the permit need; null when the worker is not on it. */
export function requiredOf(permit: PermitNeed, workerId: string): string[][] | null {
  const roles = permit.people[workerId];
  if (!roles?.length) return null;
  return roles.flatMap((role) => permit.needs[role] ?? []);
}

export interface VerifyInput {
  text: string;
  trust: TrustList;
  now: number; // epoch seconds on this device
  synced?: Synced | null;
  required?: string[][] | null; // each: the items any one of which covers that need
  skew?: number;
  permit?: PermitNeed | null; // picked: overrides `required` (worker on it, their roles' needs)
}

export async function verifyCode(input: VerifyInput): Promise<Verdict> {
  const { trust, now, synced = null, skew = 300, permit = null } = input;
  let required = input.required ?? null;
  const reasons: Reason[] = [];
  const out: Verdict = {
    verdict: "red",
    reasons,
    kind: null,
    kid: null,
    worker: null,
    issued_at: null,
    expires_at: null,
  };
  const add = (level: Level, code: string, detail = "") => reasons.push({ level, code, detail });
  const finish = (): Verdict => {
    const levels = new Set(reasons.map((r) => r.level));
    out.verdict = levels.has("red") ? "red" : levels.has("amber") ? "amber" : "green";
    return out;
  };

  const text = input.text.trim();
  if (!text.startsWith(PREFIX)) {
    add("red", "bad_prefix");
    return finish();
  }
  let packed: Uint8Array;
  try {
    packed = b45decode(text.slice(PREFIX.length));
  } catch (e) {
    add("red", "bad_base45", e instanceof Base45Error ? e.message : "");
    return finish();
  }
  let raw: Uint8Array;
  try {
    raw = await inflate(packed);
  } catch (e) {
    add("red", "bad_zlib", (e as Error).message);
    return finish();
  }
  let msg: Sign1;
  try {
    msg = parse(raw);
  } catch (e) {
    add("red", "bad_cose", e instanceof CoseError ? e.message : "");
    return finish();
  }
  out.kid = hex(msg.kid);
  const key = trust.keys.find((k) => same(k.kid, msg.kid));
  if (!key) {
    add("red", "unknown_key", out.kid);
    return finish();
  }
  if (!(await coseVerify(await cryptoKeyOf(key), msg))) {
    add("red", "bad_signature");
    return finish();
  }
  const claims = claimsOf(msg.payload);
  if (!claims) {
    add("red", "bad_payload");
    return finish();
  }
  out.kind = claims.t === "d" ? "dynamic" : "badge";
  out.issued_at = claims.iat;
  out.expires_at = claims.exp;
  if (key.rv !== null) add("red", "key_revoked");
  if (claims.iat < key.nb || (key.na !== null && claims.iat >= key.na)) add("red", "key_not_valid_then");
  if (claims.iat > now + skew) add("red", "not_yet_valid");
  if (claims.exp <= now) add("red", "expired");
  const wid = uuidOf(claims.w);
  const mine = synced?.workers?.find((w) => w.w === wid);
  let worker: Worker;
  if (claims.t === "d") {
    worker = {
      id: wid,
      name: claims.n!,
      id_masked: claims.m!,
      photo_hash: hex(claims.p!),
      status: claims.s!,
      violations: claims.v!,
      certs: claims.c!,
    };
  } else if (mine) {
    worker = {
      id: wid,
      name: mine.n,
      id_masked: mine.m ?? "",
      photo_hash: mine.p ?? "",
      status: "active",
      violations: mine.v ?? 0,
      certs: mine.c ?? [],
    };
  } else {
    worker = { id: wid, name: "", id_masked: "", photo_hash: "", status: "active", violations: 0, certs: [] };
    add("amber", "not_synced");
  }
  out.worker = worker;
  if (permit) {
    required = requiredOf(permit, wid);
    if (required === null) add("red", "not_on_permit", permit.number);
  }

  const today = Math.floor((now + trust.tz) / 86400);
  const freezes = (synced?.frozen ?? []).filter((f) => f.w === wid);
  if (worker.status === "frozen" || freezes.some((f) => f.item == null)) add("red", "worker_frozen");
  const frozenItems = new Set(freezes.flatMap((f) => (f.item == null ? [] : [f.item])));
  const have = new Set(worker.certs.filter((c) => usable(c, today) && !frozenItems.has(c[1])).map((c) => c[1]));
  if (required) {
    const missing = required.filter((alts) => !alts.some((a) => have.has(a))).map((alts) => alts[0]!);
    if (missing.length) add("red", "certificate_missing", missing.join("、"));
  } else {
    if (worker.certs.some((c) => !usable(c, today))) add("amber", "certificate_lapsed");
    if (frozenItems.size) add("amber", "item_frozen", [...frozenItems].sort().join("、"));
  }
  if (worker.violations > 0) add("amber", "open_violations", String(worker.violations));
  if (!synced || now - synced.as_of > trust.stale || now - trust.iat > trust.stale) add("amber", "data_stale");
  return finish();
}
