import { useEffect, useRef, useState } from "preact/hooks";

import { api, ApiError, type Ceremony } from "../api";
import { signedIn } from "../auth";
import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { CreationOptionsJSON } from "../passkey";
import { supportsPasskeys } from "../passkey";
import { go, hrefOf } from "../router";
import { enrollWithPasskey, errorMessage, type Fetched, stillFresh } from "../signin";

/** A 4xx about the code itself (unknown, used, expired) will not get better by trying again. */
function isFinal(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && err.code.startsWith("enrollment_");
}

export function Enroll({ code }: { code: string }) {
  const t = useT();
  const [checking, setChecking] = useState(true);
  const [busy, setBusy] = useState(false);
  const [blocked, setBlocked] = useState(false);
  const [personName, setPersonName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const prefetched = useRef<Fetched<CreationOptionsJSON> | null>(null);

  const fail = (err: unknown) => {
    setError(errorMessage(t, err));
    if (isFinal(err)) setBlocked(true);
  };
  const fetchOptions = async (): Promise<Ceremony<CreationOptionsJSON>> => {
    const ceremony = await api.enrollOptions(code);
    prefetched.current = { ceremony, at: Date.now() };
    setPersonName(ceremony.person_name ?? null);
    return ceremony;
  };

  useEffect(() => {
    setChecking(true);
    setBlocked(false);
    setError(supportsPasskeys() ? null : t("error.passkeyUnsupported"));
    fetchOptions()
      .catch(fail)
      .finally(() => setChecking(false));
  }, [code]);

  const onEnroll = async () => {
    setBusy(true);
    setError(null);
    try {
      const ceremony = stillFresh(prefetched.current) ?? (await fetchOptions());
      prefetched.current = null; // verification uses the challenge up, pass or fail
      signedIn(await enrollWithPasskey(code, ceremony));
      go({ name: "home" });
    } catch (err) {
      fail(err);
      if (!isFinal(err)) void fetchOptions().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card stack hero" data-testid="enroll">
      <h1 class="hero-title">{t("enroll.title")}</h1>
      {checking ? (
        <p class="muted">{t("enroll.checking")}</p>
      ) : (
        personName && (
          <p class="greeting" data-testid="enroll-greeting">
            {t("enroll.greeting", { name: personName })}
          </p>
        )
      )}
      <p>{t("enroll.lead")}</p>
      <ErrorNote message={error} />
      <button
        type="button"
        class="btn btn-primary"
        data-testid="enroll-button"
        disabled={checking || busy || blocked}
        onClick={onEnroll}
      >
        {busy ? t("enroll.busy") : t("enroll.button")}
      </button>
      <a class="link" href={hrefOf({ name: "login" })}>
        {t("enroll.toSignin")}
      </a>
    </section>
  );
}
