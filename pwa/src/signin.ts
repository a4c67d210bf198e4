/** The two passkey ceremonies end to end: options from the server, the browser's dialog, verification. */

import { api, ApiError, type Api, type Ceremony, type Me, NetworkError } from "./api";
import type { Translate } from "./i18n";
import {
  createPasskey,
  type CreationOptionsJSON,
  deviceLabel,
  getPasskey,
  passkeyErrorKey,
  type RequestOptionsJSON,
} from "./passkey";

/** Server challenges live 5 minutes (backend/auth/passkeys.py); a prefetched one is reused for 4. */
export const CEREMONY_MAX_AGE_MS = 4 * 60 * 1000;

export interface Fetched<T> {
  ceremony: Ceremony<T>;
  at: number;
}

export function stillFresh<T>(fetched: Fetched<T> | null, now = Date.now()): Ceremony<T> | null {
  return fetched && now - fetched.at < CEREMONY_MAX_AGE_MS ? fetched.ceremony : null;
}

export async function enrollWithPasskey(
  code: string,
  ceremony: Ceremony<CreationOptionsJSON>,
  client: Api = api,
): Promise<Me> {
  const credential = await createPasskey(ceremony.options);
  return client.enrollVerify(ceremony.challenge_id, code, credential, deviceLabel(navigator.userAgent));
}

export async function signInWithPasskey(ceremony: Ceremony<RequestOptionsJSON>, client: Api = api): Promise<Me> {
  const credential = await getPasskey(ceremony.options);
  return client.loginVerify(ceremony.challenge_id, credential);
}

/** The sentence to show: the server's `detail`, or our own words for network and browser failures. */
export function errorMessage(t: Translate, err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  if (err instanceof NetworkError) return t("error.network");
  const key = passkeyErrorKey(err);
  if (key) return t(key);
  return t("error.unexpected", { message: err instanceof Error ? err.message : String(err) });
}
