import { useEffect, useRef, useState } from "preact/hooks";

import { api, type Ceremony } from "../api";
import { signedIn } from "../auth";
import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import { useOffline } from "../net";
import type { RequestOptionsJSON } from "../passkey";
import { supportsPasskeys } from "../passkey";
import { go } from "../router";
import { errorMessage, type Fetched, signInWithPasskey, stillFresh } from "../signin";

export function SignIn() {
  const t = useT();
  const offline = useOffline();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(() => (supportsPasskeys() ? null : t("error.passkeyUnsupported")));
  // Fetched ahead so the click goes straight to the passkey dialog (Safari wants it inside the tap).
  const prefetched = useRef<Fetched<RequestOptionsJSON> | null>(null);

  const prefetch = async () => {
    try {
      prefetched.current = { ceremony: await api.loginOptions(), at: Date.now() };
    } catch {
      prefetched.current = null; // the click will try again and show why
    }
  };
  useEffect(() => {
    void prefetch();
  }, []);

  const onSignIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const ceremony: Ceremony<RequestOptionsJSON> = stillFresh(prefetched.current) ?? (await api.loginOptions());
      prefetched.current = null;
      signedIn(await signInWithPasskey(ceremony));
      go({ name: "home" });
    } catch (err) {
      setError(errorMessage(t, err));
      void prefetch();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card stack hero" data-testid="signin">
      <h1 class="hero-title">{t("signin.title")}</h1>
      <p>{t("signin.lead")}</p>
      {offline && <p class="note note-offline">{t("signin.offline")}</p>}
      <ErrorNote message={error} />
      <button type="button" class="btn btn-primary" data-testid="signin-button" disabled={busy} onClick={onSignIn}>
        {busy ? t("signin.busy") : t("signin.button")}
      </button>
      <p class="muted small">{t("signin.noPasskey")}</p>
    </section>
  );
}
