// COSE_Sign1 with ES256 (RFC 9052 §4.2), the twin of backend/badges/cose.py. WebCrypto verifies
// the raw r‖s signature as it is.
import { Tagged, decode, encodeStrings } from "./cbor";

export class CoseError extends Error {}

export interface Sign1 {
  protected: Uint8Array;
  kid: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

export function parse(data: Uint8Array): Sign1 {
  let obj: unknown;
  try {
    obj = decode(data);
  } catch (e) {
    throw new CoseError(`not CBOR: ${(e as Error).message}`);
  }
  if (obj instanceof Tagged) {
    if (obj.tag !== 18) throw new CoseError(`CBOR tag ${obj.tag} is not COSE_Sign1`);
    obj = obj.value;
  }
  if (!Array.isArray(obj) || obj.length !== 4) throw new CoseError("COSE_Sign1 must be an array of four");
  const [prot, unprot, payload, signature] = obj as unknown[];
  if (!(prot instanceof Uint8Array) || !(unprot instanceof Map)) throw new CoseError("COSE_Sign1 headers malformed");
  if (!(payload instanceof Uint8Array) || !(signature instanceof Uint8Array))
    throw new CoseError("COSE_Sign1 payload or signature is not a byte string");
  let header: unknown;
  try {
    header = prot.length ? decode(prot) : new Map();
  } catch {
    throw new CoseError("protected header is not CBOR");
  }
  if (!(header instanceof Map) || header.get(1) !== -7) throw new CoseError("algorithm must be ES256");
  const kid = header.get(4) ?? unprot.get(4);
  if (!(kid instanceof Uint8Array)) throw new CoseError("no key id");
  return { protected: prot, kid, payload, signature };
}

export function sigStructure(msg: Sign1): Uint8Array {
  return encodeStrings(["Signature1", msg.protected, new Uint8Array(0), msg.payload]);
}

export async function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw as BufferSource, { name: "ECDSA", namedCurve: "P-256" }, false, [
    "verify",
  ]);
}

export async function verify(key: CryptoKey, msg: Sign1): Promise<boolean> {
  if (msg.signature.length !== 64) return false;
  return crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    msg.signature as BufferSource,
    sigStructure(msg) as BufferSource,
  );
}
