/** Canonical JSON (RFC 8785 JCS), twin of sync/canonical.py: the bytes an approver's passkey signs. */

/** JCS text of plain JSON data. Keys sort by UTF-16 code units, which is what Array.sort does; the
 *  text is built by hand because JavaScript objects put integer-like keys first. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("NaN and infinities have no JSON form");
    return JSON.stringify(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new TypeError(`${typeof value} is not plain JSON data`);
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

/** SHA-256 of the canonical bytes of an operation without its `signature` (SYNC.md). */
export async function opChallenge(op: Record<string, unknown>): Promise<Uint8Array> {
  const { signature: _signature, ...unsigned } = op;
  return sha256(new TextEncoder().encode(canonicalJson(unsigned)));
}
