/** WebAuthn JSON <-> browser objects, by hand: options from the server in, credentials to the server out. */

import { base64urlToBuffer, bufferToBase64url } from "./b64url";
import type { MessageKey } from "./i18n";

export interface DescriptorJSON {
  id: string;
  type: "public-key";
  transports?: AuthenticatorTransport[];
}

/** PublicKeyCredentialCreationOptions as py_webauthn's options_to_json writes it. */
export interface CreationOptionsJSON {
  rp: PublicKeyCredentialRpEntity;
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: PublicKeyCredentialParameters[];
  timeout?: number;
  excludeCredentials?: DescriptorJSON[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  attestation?: AttestationConveyancePreference;
  extensions?: AuthenticationExtensionsClientInputs;
}

export interface RequestOptionsJSON {
  challenge: string;
  timeout?: number;
  rpId?: string;
  allowCredentials?: DescriptorJSON[];
  userVerification?: UserVerificationRequirement;
  extensions?: AuthenticationExtensionsClientInputs;
}

function descriptors(list: DescriptorJSON[] | undefined): PublicKeyCredentialDescriptor[] {
  return (list ?? []).map((d) => ({ ...d, id: base64urlToBuffer(d.id) }));
}

export function creationOptionsFromJSON(json: CreationOptionsJSON): PublicKeyCredentialCreationOptions {
  const options: PublicKeyCredentialCreationOptions = {
    rp: json.rp,
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
    challenge: base64urlToBuffer(json.challenge),
    pubKeyCredParams: json.pubKeyCredParams,
    excludeCredentials: descriptors(json.excludeCredentials),
  };
  if (json.timeout !== undefined) options.timeout = json.timeout;
  if (json.authenticatorSelection) options.authenticatorSelection = json.authenticatorSelection;
  if (json.attestation) options.attestation = json.attestation;
  if (json.extensions) options.extensions = json.extensions;
  return options;
}

export function requestOptionsFromJSON(json: RequestOptionsJSON): PublicKeyCredentialRequestOptions {
  const options: PublicKeyCredentialRequestOptions = {
    challenge: base64urlToBuffer(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  };
  if (json.timeout !== undefined) options.timeout = json.timeout;
  if (json.rpId) options.rpId = json.rpId;
  if (json.userVerification) options.userVerification = json.userVerification;
  if (json.extensions) options.extensions = json.extensions;
  return options;
}

/** The parts of a PublicKeyCredential we read; structural so tests can pass plain objects. */
interface CredentialLike<R> {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: R;
  getClientExtensionResults(): object;
}

export type RegistrationCredentialLike = CredentialLike<{
  clientDataJSON: ArrayBuffer;
  attestationObject: ArrayBuffer;
  getTransports?(): string[];
}>;

export type AuthenticationCredentialLike = CredentialLike<{
  clientDataJSON: ArrayBuffer;
  authenticatorData: ArrayBuffer;
  signature: ArrayBuffer;
  userHandle: ArrayBuffer | null;
}>;

export interface RegistrationJSON {
  id: string;
  rawId: string;
  type: string;
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: object;
  authenticatorAttachment: string | null;
}

export interface AuthenticationJSON {
  id: string;
  rawId: string;
  type: string;
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string | null };
  clientExtensionResults: object;
  authenticatorAttachment: string | null;
}

export function registrationToJSON(cred: RegistrationCredentialLike): RegistrationJSON {
  return {
    id: cred.id,
    rawId: bufferToBase64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: bufferToBase64url(cred.response.clientDataJSON),
      attestationObject: bufferToBase64url(cred.response.attestationObject),
      // getTransports is missing on older browsers; the server then simply stores none
      transports: cred.response.getTransports?.() ?? [],
    },
    clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
  };
}

export function authenticationToJSON(cred: AuthenticationCredentialLike): AuthenticationJSON {
  const { userHandle } = cred.response;
  return {
    id: cred.id,
    rawId: bufferToBase64url(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: bufferToBase64url(cred.response.clientDataJSON),
      authenticatorData: bufferToBase64url(cred.response.authenticatorData),
      signature: bufferToBase64url(cred.response.signature),
      userHandle: userHandle && userHandle.byteLength > 0 ? bufferToBase64url(userHandle) : null,
    },
    clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
  };
}

export function supportsPasskeys(): boolean {
  return typeof window !== "undefined" && "PublicKeyCredential" in window && !!navigator.credentials;
}

/** Runs the browser's "create a passkey" dialog and returns the credential as the server's JSON. */
export async function createPasskey(
  json: CreationOptionsJSON,
  container: CredentialsContainer = navigator.credentials,
): Promise<RegistrationJSON> {
  const cred = await container.create({ publicKey: creationOptionsFromJSON(json) });
  if (!cred) throw new DOMException("no credential", "NotAllowedError");
  return registrationToJSON(cred as unknown as RegistrationCredentialLike);
}

export async function getPasskey(
  json: RequestOptionsJSON,
  container: CredentialsContainer = navigator.credentials,
): Promise<AuthenticationJSON> {
  const cred = await container.get({ publicKey: requestOptionsFromJSON(json) });
  if (!cred) throw new DOMException("no credential", "NotAllowedError");
  return authenticationToJSON(cred as unknown as AuthenticationCredentialLike);
}

/** What to tell the user when the browser's dialog fails; null when it is not a WebAuthn error. */
export function passkeyErrorKey(err: unknown): MessageKey | null {
  const name = (err as { name?: unknown } | null)?.name;
  switch (name) {
    case "NotAllowedError":
    case "AbortError":
      return "error.passkeyCancelled";
    case "InvalidStateError":
      return "error.passkeyExists";
    case "NotSupportedError":
      return "error.passkeyUnsupported";
    case "SecurityError":
      return "error.passkeyInsecure";
    default:
      return null;
  }
}

const SYSTEMS: [string, RegExp][] = [
  ["HarmonyOS", /HarmonyOS|OpenHarmony/],
  ["Android", /Android/],
  ["iPhone", /iPhone/],
  ["iPad", /iPad/],
  ["Windows", /Windows/],
  ["macOS", /Mac OS X|Macintosh/],
  ["Linux", /Linux/],
];
// Order matters: Edge and WeChat also say "Chrome", Chrome also says "Safari".
const BROWSERS: [string, RegExp][] = [
  ["WeChat", /MicroMessenger/],
  ["Edge", /Edg\//],
  ["Chrome", /Chrome\/|CriOS/],
  ["Firefox", /Firefox\/|FxiOS/],
  ["Safari", /Safari\//],
];

/** A short name for this device so a person can tell their passkeys apart later ("Android · Chrome"). */
export function deviceLabel(userAgent: string): string {
  const pick = (table: [string, RegExp][]) => table.find(([, re]) => re.test(userAgent))?.[0];
  return [pick(SYSTEMS), pick(BROWSERS)].filter(Boolean).join(" · ") || "passkey";
}
