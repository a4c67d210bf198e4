// A minimal CBOR (RFC 8949) decoder for what badge codes carry: integers, byte and text strings,
// arrays, maps (as Map), tags, false/true/null. Indefinite lengths and floats are refused.
// Plus the one encoder COSE needs: the Sig_structure array of a text and byte strings.

export class CborError extends Error {}

export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

const MAX_DEPTH = 16;

export function decode(bytes: Uint8Array): unknown {
  let pos = 0;
  const text = new TextDecoder("utf-8", { fatal: true });

  function need(n: number): void {
    if (pos + n > bytes.length) throw new CborError("CBOR truncated");
  }
  function arg(info: number): number {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (!size) throw new CborError(`CBOR additional info ${info} not supported`);
    need(size);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + bytes[pos + i]!;
    pos += size;
    if (!Number.isSafeInteger(n)) throw new CborError("CBOR integer too large");
    return n;
  }
  function item(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborError("CBOR nested too deep");
    need(1);
    const head = bytes[pos++]!;
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new CborError(`CBOR simple/float ${info} not supported`);
    }
    const n = arg(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2: {
        need(n);
        const out = bytes.slice(pos, pos + n);
        pos += n;
        return out;
      }
      case 3: {
        need(n);
        let s: string;
        try {
          s = text.decode(bytes.subarray(pos, pos + n));
        } catch {
          throw new CborError("CBOR text is not UTF-8");
        }
        pos += n;
        return s;
      }
      case 4: {
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = item(depth + 1);
          out.set(k, item(depth + 1));
        }
        return out;
      }
      default:
        return new Tagged(n, item(depth + 1));
    }
  }
  const value = item(0);
  if (pos !== bytes.length) throw new CborError("CBOR has trailing bytes");
  return value;
}

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** CBOR array of text and byte strings (all the Sig_structure holds). */
export function encodeStrings(items: (string | Uint8Array)[]): Uint8Array {
  const parts: number[] = head(4, items.length);
  for (const it of items) {
    const body = typeof it === "string" ? new TextEncoder().encode(it) : it;
    parts.push(...head(typeof it === "string" ? 3 : 2, body.length), ...body);
  }
  return new Uint8Array(parts);
}
