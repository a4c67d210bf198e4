import { useEffect, useState } from "preact/hooks";

import { authStore } from "../auth";
import { ErrorNote } from "../components/ErrorNote";
import { useLang, useT } from "../i18n";
import { useOffline } from "../net";
import { hrefOf } from "../router";
import { useStore } from "../store";
import { fetchCode, loadCode, needsRefresh, type CachedCode } from "./local";
import { qrPicture } from "./qr";

/** Hours:minutes:seconds left, never negative. */
export function countdown(msLeft: number): string {
  const s = Math.max(0, Math.floor(msLeft / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** 我的电子身份码: the signed code as a QR, drawn on the phone and kept for offline display, with a
 * live clock and a moving band so a screenshot is told apart from the real screen. */
export function MyCode() {
  const t = useT();
  const lang = useLang();
  const offline = useOffline();
  const auth = useStore(authStore);
  const personId = auth.status === "signedIn" ? auth.me.person_id : "";
  const [code, setCode] = useState<CachedCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!personId) return;
    let live = true;
    void (async () => {
      const cached = await loadCode(personId);
      if (live && cached) setCode(cached);
      if (!offline && needsRefresh(cached, Date.now())) {
        try {
          const fresh = await fetchCode(personId);
          if (live) setCode(fresh);
        } catch {
          if (live && !cached) setError(t("badge.code.unavailable"));
        }
      } else if (!cached && live) setError(t("badge.code.unavailable"));
    })();
    return () => {
      live = false;
    };
  }, [personId, offline]);

  const left = code ? Date.parse(code.expires_at) - now : 0;
  const qr = code && left > 0 ? qrPicture(code.text) : null;
  const clock = new Date(now).toLocaleTimeString(lang, { hour12: false });
  return (
    <section class="stack" data-testid="my-code">
      <a class="link" href={hrefOf({ name: "home" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("badge.code.title")}</h1>
      <ErrorNote message={error} />
      {code && (
        <article class="card badge-code" data-testid="badge-code-card">
          <p class="badge-clock" data-testid="badge-clock" aria-live="off">
            {clock}
          </p>
          <div class="badge-band" aria-hidden="true" />
          {qr ? (
            <svg
              class="badge-qr"
              viewBox={`0 0 ${qr.size} ${qr.size}`}
              shape-rendering="crispEdges"
              role="img"
              aria-label={t("badge.code.qrLabel")}
              data-testid="badge-qr"
              data-code={code.text}
            >
              <rect width={qr.size} height={qr.size} fill="#fff" />
              <path d={qr.path} fill="#000" />
            </svg>
          ) : (
            <p class="note note-error" role="alert" data-testid="badge-expired">
              {t("badge.code.expired")}
            </p>
          )}
          <p data-testid="badge-countdown">
            {t("badge.code.expiresIn", { time: countdown(left) })}
          </p>
          <p class="muted small">
            {t("badge.code.issued", { time: new Date(code.issued_at).toLocaleString(lang, { hour12: false }) })}
            {offline ? ` · ${t("badge.code.offline")}` : ""}
          </p>
        </article>
      )}
      <p class="muted small">{t("badge.code.note")}</p>
    </section>
  );
}
