import { useState } from "preact/hooks";

import { ApiError } from "../api";
import { raiseSos } from "../alarms/offline";
import { useT } from "../i18n";

type Step = "idle" | "confirm" | "sending" | "sent" | "queued";

/** 一键 SOS: one tap to arm, one to send (a pocket must not send it); goes out offline too, queued. */
export function SosCard() {
  const t = useT();
  const [step, setStep] = useState<Step>("idle");
  const [error, setError] = useState<string | null>(null);
  const [reached, setReached] = useState<number | null>(null);
  const send = async () => {
    setStep("sending");
    setError(null);
    try {
      const texts = { ack_rejected: t("sos.rejected"), sign_in: t("alarm.signIn") };
      const { status, recipients } = await raiseSos(texts, t("sos.title"));
      setReached(recipients);
      setStep(status);
    } catch (err) {
      setStep("idle");
      setError(err instanceof ApiError ? err.detail : t("error.network"));
    }
  };
  return (
    <article class="card card-sos" data-testid="sos-card">
      <h2 class="card-title">{t("sos.title")}</h2>
      <p class="muted">{t("sos.lead")}</p>
      {step === "idle" && (
        <button type="button" class="btn btn-sos" data-testid="sos-button" onClick={() => setStep("confirm")}>
          {t("sos.button")}
        </button>
      )}
      {step === "confirm" && (
        <div class="sos-confirm">
          <strong>{t("sos.confirm")}</strong>
          <button type="button" class="btn btn-sos" data-testid="sos-send" onClick={send}>
            {t("sos.send")}
          </button>
          <button type="button" class="btn btn-secondary" onClick={() => setStep("idle")}>
            {t("sos.cancel")}
          </button>
        </div>
      )}
      {step === "sending" && <p role="status">{t("sos.sending")}</p>}
      {step === "sent" && (
        <p class="note note-ok" role="status" data-testid="sos-sent">
          {t("sos.sent", { count: reached ?? 0 })}
        </p>
      )}
      {step === "queued" && (
        <p class="note note-offline" role="status" data-testid="sos-queued">
          {t("sos.queued")}
        </p>
      )}
      {error && <p class="note note-error">{error}</p>}
    </article>
  );
}
