/** Who is signed in: the saved answer first (works offline), then the server's word on it. */

import { api, ApiError, type Api, type Me, NetworkError } from "./api";
import { serverReachable } from "./net";
import { forgetMe, loadMe, saveMe } from "./session";
import { createStore } from "./store";

export type AuthState =
  | { status: "checking" }
  | { status: "signedOut" }
  | { status: "signedIn"; me: Me; savedAt: string };

function initialState(): AuthState {
  const saved = loadMe();
  return saved ? { status: "signedIn", ...saved } : { status: "checking" };
}

export const authStore = createStore<AuthState>(initialState());

export function signedIn(me: Me): void {
  serverReachable.set(true);
  authStore.set({ status: "signedIn", ...saveMe(me) });
}

/** Asks the server who we are; on a network failure the saved answer stays and we are "offline". */
export async function refreshMe(client: Api = api): Promise<void> {
  try {
    signedIn(await client.me());
  } catch (err) {
    if (err instanceof NetworkError) {
      serverReachable.set(false);
    } else if (err instanceof ApiError && err.status === 401) {
      serverReachable.set(true);
      forgetMe();
      authStore.set({ status: "signedOut" });
      return;
    }
    if (authStore.get().status === "checking") authStore.set({ status: "signedOut" });
  }
}

/** Signs out here even when the server cannot be told (offline): the saved profile is removed. */
export async function signOut(client: Api = api): Promise<void> {
  try {
    await client.logout();
  } catch {
    // the session cookie then expires on its own (session_hours)
  }
  forgetMe();
  authStore.set({ status: "signedOut" });
}
