/** base64url (RFC 4648 §5, no padding) <-> bytes: the encoding WebAuthn JSON uses for every binary field. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LOOKUP = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function bufferToBase64url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = bytesOf(data);
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Accepts trailing `=` padding (some servers send it); rejects anything else outside the alphabet. */
export function base64urlToBuffer(text: string): ArrayBuffer {
  const body = text.replace(/=+$/, "");
  if (body.length % 4 === 1) throw new SyntaxError("base64url: impossible length");
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let pos = 0;
  for (const ch of body) {
    const digit = LOOKUP.get(ch);
    if (digit === undefined) throw new SyntaxError(`base64url: invalid character ${JSON.stringify(ch)}`);
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[pos++] = (value >> bits) & 0xff;
    }
  }
  return out.buffer;
}
