import { describe, expect, it } from "vitest";

import { base64urlToBuffer, bufferToBase64url } from "./b64url";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe("base64url", () => {
  it.each([
    ["", ""],
    ["f", "Zg"],
    ["fo", "Zm8"],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg"],
    ["fooba", "Zm9vYmE"],
    ["foobar", "Zm9vYmFy"],
  ])("encodes the RFC 4648 vector %j without padding", (plain, encoded) => {
    expect(bufferToBase64url(text(plain))).toBe(encoded);
    expect(new TextDecoder().decode(base64urlToBuffer(encoded))).toBe(plain);
  });

  it("uses - and _ where base64 has + and /", () => {
    expect(bufferToBase64url(bytes(0xfb, 0xff, 0xbf))).toBe("-_-_");
    expect(new Uint8Array(base64urlToBuffer("-_-_"))).toEqual(bytes(0xfb, 0xff, 0xbf));
  });

  it("round-trips every byte value", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let len = 0; len < 8; len++) {
      const slice = all.slice(len);
      expect(new Uint8Array(base64urlToBuffer(bufferToBase64url(slice)))).toEqual(slice);
    }
  });

  it("encodes a view into a larger buffer, not the whole buffer", () => {
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    expect(bufferToBase64url(view)).toBe(bufferToBase64url(bytes(1, 2, 3)));
    expect(bufferToBase64url(view.buffer)).toBe("CQECAwk");
  });

  it("tolerates padding but rejects foreign characters and impossible lengths", () => {
    expect(new Uint8Array(base64urlToBuffer("Zg=="))).toEqual(text("f"));
    expect(() => base64urlToBuffer("Zm9v+A")).toThrow(SyntaxError);
    expect(() => base64urlToBuffer("Zm9v/A")).toThrow(SyntaxError);
    expect(() => base64urlToBuffer("Zm9vY")).toThrow(/length/);
  });

  it("returns a plain ArrayBuffer, as WebAuthn's BufferSource needs", () => {
    expect(base64urlToBuffer("AQID")).toBeInstanceOf(ArrayBuffer);
  });
});
