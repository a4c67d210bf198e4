import { describe, expect, it } from "vitest";

import { base64urlToBuffer, bufferToBase64url } from "./b64url";
import {
  authenticationToJSON,
  creationOptionsFromJSON,
  deviceLabel,
  passkeyErrorKey,
  registrationToJSON,
  requestOptionsFromJSON,
  type CreationOptionsJSON,
} from "./passkey";

const buf = (...values: number[]) => new Uint8Array(values).buffer;
const bytesOf = (source: BufferSource | undefined) => new Uint8Array(source as ArrayBuffer);

// What py_webauthn's options_to_json gives for an enrollment (backend/auth/passkeys.py).
const creationJSON: CreationOptionsJSON = {
  rp: { name: "特作 Tezuo", id: "localhost" },
  user: { id: "AQIDBA", name: "1101**********0014", displayName: "张三" },
  challenge: "3q2-7w",
  pubKeyCredParams: [
    { type: "public-key", alg: -7 },
    { type: "public-key", alg: -257 },
  ],
  timeout: 60000,
  excludeCredentials: [{ id: "_-8", type: "public-key", transports: ["internal"] }],
  authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "preferred" },
  attestation: "none",
};

describe("options from the server", () => {
  it("decode challenge, user.id and excluded credential ids to bytes, keeping the rest", () => {
    const options = creationOptionsFromJSON(creationJSON);
    expect(bytesOf(options.challenge)).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(bytesOf(options.user.id)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(options.user.displayName).toBe("张三");
    expect(bytesOf(options.excludeCredentials?.[0]?.id)).toEqual(new Uint8Array([0xff, 0xef]));
    expect(options.excludeCredentials?.[0]?.transports).toEqual(["internal"]);
    expect(options.rp).toEqual({ name: "特作 Tezuo", id: "localhost" });
    expect(options.authenticatorSelection?.residentKey).toBe("required");
    expect(options.attestation).toBe("none");
    expect(options.timeout).toBe(60000);
  });

  it("ask for a discoverable credential when allowCredentials is empty", () => {
    const options = requestOptionsFromJSON({
      challenge: "AAEC",
      timeout: 60000,
      rpId: "localhost",
      allowCredentials: [],
      userVerification: "preferred",
    });
    expect(bytesOf(options.challenge)).toEqual(new Uint8Array([0, 1, 2]));
    expect(options.allowCredentials).toEqual([]);
    expect(options.rpId).toBe("localhost");
    expect(options.userVerification).toBe("preferred");
  });
});

describe("credentials to the server", () => {
  it("serialise a registration with base64url fields, transports and extension results", () => {
    const json = registrationToJSON({
      id: "AQI",
      rawId: buf(1, 2),
      type: "public-key",
      authenticatorAttachment: "platform",
      response: {
        clientDataJSON: new TextEncoder().encode('{"type":"webauthn.create"}').buffer,
        attestationObject: buf(0xa3, 0x63),
        getTransports: () => ["internal", "hybrid"],
      },
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
    });
    expect(json).toEqual({
      id: "AQI",
      rawId: "AQI",
      type: "public-key",
      response: {
        clientDataJSON: bufferToBase64url(new TextEncoder().encode('{"type":"webauthn.create"}')),
        attestationObject: "o2M",
        transports: ["internal", "hybrid"],
      },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: "platform",
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // nothing binary left
  });

  it("send no transports and a null attachment when the browser gives none", () => {
    const json = registrationToJSON({
      id: "AQI",
      rawId: buf(1, 2),
      type: "public-key",
      response: { clientDataJSON: buf(1), attestationObject: buf(2) },
      getClientExtensionResults: () => ({}),
    });
    expect(json.response.transports).toEqual([]);
    expect(json.authenticatorAttachment).toBeNull();
  });

  it("serialise an assertion, with userHandle as base64url or null", () => {
    const base = {
      id: "BQY",
      rawId: buf(5, 6),
      type: "public-key",
      authenticatorAttachment: null,
      getClientExtensionResults: () => ({}),
    };
    const response = { clientDataJSON: buf(1), authenticatorData: buf(2, 3), signature: buf(0x30, 0x45) };
    const withHandle = authenticationToJSON({ ...base, response: { ...response, userHandle: buf(7, 7, 7) } });
    expect(withHandle.response).toEqual({
      clientDataJSON: "AQ",
      authenticatorData: "AgM",
      signature: "MEU",
      userHandle: "BwcH",
    });
    expect(withHandle.rawId).toBe("BQY");
    expect(new Uint8Array(base64urlToBuffer(withHandle.response.userHandle!))).toEqual(new Uint8Array([7, 7, 7]));
    expect(authenticationToJSON({ ...base, response: { ...response, userHandle: null } }).response.userHandle).toBeNull();
  });
});

describe("browser errors", () => {
  it("map to messages the person can act on", () => {
    expect(passkeyErrorKey({ name: "NotAllowedError" })).toBe("error.passkeyCancelled");
    expect(passkeyErrorKey({ name: "InvalidStateError" })).toBe("error.passkeyExists");
    expect(passkeyErrorKey({ name: "SecurityError" })).toBe("error.passkeyInsecure");
    expect(passkeyErrorKey(new TypeError("x"))).toBeNull();
    expect(passkeyErrorKey(null)).toBeNull();
  });

  it("label the device by system and browser", () => {
    const android =
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
    const iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const wechat = android + " MicroMessenger/8.0.49";
    expect(deviceLabel(android)).toBe("Android · Chrome");
    expect(deviceLabel(iphone)).toBe("iPhone · Safari");
    expect(deviceLabel(wechat)).toBe("Android · WeChat");
    expect(deviceLabel("")).toBe("passkey");
  });
});
