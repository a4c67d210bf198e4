// Base45 (RFC 9285), the twin of backend/badges/base45.py.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

export class Base45Error extends Error {}

export function encode(data: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < data.length; i += 2) {
    let n = data[i]! * 256 + data[i + 1]!;
    const c = n % 45;
    n = Math.floor(n / 45);
    out += ALPHABET[c]! + ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45)]!;
  }
  if (data.length % 2) {
    const n = data[data.length - 1]!;
    out += ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

export function decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error("base45 length leaves one character over");
  const values: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Base45Error(`not a base45 character: ${JSON.stringify(ch)}`);
    values.push(v);
  }
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i]! + values[i + 1]! * 45 + values[i + 2]! * 2025;
      if (n > 0xffff) throw new Base45Error("base45 triple out of range");
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i]! + values[i + 1]! * 45;
      if (n > 0xff) throw new Base45Error("base45 pair out of range");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}
