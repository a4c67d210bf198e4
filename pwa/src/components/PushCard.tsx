import { useEffect, useState } from "preact/hooks";

import { ApiError } from "../api";
import { alarms } from "../alarms/client";
import { enablePush, pushStatus, type PushStatus } from "../alarms/push";
import { useT } from "../i18n";

/** Turn alarm notifications on for this phone; once on, a test button. */
export function PushCard() {
  const t = useT();
  const [status, setStatus] = useState<PushStatus | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    void pushStatus().then(setStatus, () => setStatus("unsupported"));
  }, []);
  const enable = async () => {
    setNote(null);
    try {
      setStatus(await enablePush());
    } catch (err) {
      setNote(err instanceof ApiError ? err.detail : String(err instanceof Error ? err.message : err));
    }
  };
  const test = async () => {
    const { queued } = await alarms.testPush();
    setNote(t("push.testSent", { count: queued }));
  };
  return (
    <article class="card" data-testid="push-card">
      <h2 class="card-title">{t("push.title")}</h2>
      {status === "on" ? (
        <>
          <p data-testid="push-on">{t("push.on")}</p>
          <button type="button" class="btn btn-secondary" onClick={test}>
            {t("push.test")}
          </button>
        </>
      ) : status === "denied" ? (
        <p class="note note-error">{t("push.denied")}</p>
      ) : status === "unsupported" ? (
        <p class="muted">{t("push.unsupported")}</p>
      ) : (
        <>
          <p class="muted">{t("push.lead")}</p>
          <button type="button" class="btn btn-primary" data-testid="push-enable" onClick={enable}>
            {t("push.enable")}
          </button>
        </>
      )}
      {note && <p class="note note-offline small">{note}</p>}
    </article>
  );
}
