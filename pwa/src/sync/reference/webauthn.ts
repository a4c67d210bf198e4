/** Verifying a passkey assertion over an op's hash with WebCrypto (what py_webauthn does on the
 *  server): client data, relying party, user presence and verification, the P-256 signature. */

import { base64urlToBuffer, bufferToBase64url } from "../../b64url";
import { sha256 } from "../canonical";
import type { JsonObject } from "../messages";
import { Reject } from "./push";

/** ECDSA signatures come DER-encoded from authenticators; WebCrypto wants r‖s, 32 bytes each. */
export function derToRaw(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x30) throw new SyntaxError("not a DER sequence");
  let pos = 2;
  const out = new Uint8Array(64);
  for (let part = 0; part < 2; part++) {
    if (der[pos] !== 0x02) throw new SyntaxError("not a DER integer");
    const length = der[pos + 1]!;
    let value = der.subarray(pos + 2, pos + 2 + length);
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    out.set(value, part * 32 + 32 - value.length);
    pos += 2 + length;
  }
  return out;
}

const bytes = (b64u: unknown) => new Uint8Array(base64urlToBuffer(String(b64u)));

export async function verifyOpAssertion(
  assertion: JsonObject,
  challenge: Uint8Array,
  jwk: JsonWebKey,
  rpId: string,
  origin: string,
): Promise<void> {
  const invalid = (why: string) => new Reject("signature_invalid", `签名无效: ${why}`);
  try {
    const response = assertion.response as JsonObject;
    const clientDataBytes = bytes(response.clientDataJSON);
    const clientData = JSON.parse(new TextDecoder().decode(clientDataBytes)) as JsonObject;
    if (clientData.type !== "webauthn.get") throw invalid("wrong client data type");
    if (clientData.challenge !== bufferToBase64url(challenge)) throw invalid("challenge mismatch");
    if (clientData.origin !== origin) throw invalid("origin mismatch");
    const authData = bytes(response.authenticatorData);
    const rpHash = await sha256(new TextEncoder().encode(rpId));
    if (authData.length < 37 || rpHash.some((b, i) => authData[i] !== b)) throw invalid("relying party mismatch");
    const flags = authData[32]!;
    if (!(flags & 0x01) || !(flags & 0x04)) throw invalid("user not present or not verified");
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const signed = new Uint8Array(authData.length + 32);
    signed.set(authData);
    signed.set(await sha256(clientDataBytes), authData.length);
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      derToRaw(bytes(response.signature)) as BufferSource,
      signed as BufferSource,
    );
    if (!ok) throw invalid("bad signature");
  } catch (err) {
    if (err instanceof Reject) throw err;
    throw invalid((err as Error).message);
  }
}
