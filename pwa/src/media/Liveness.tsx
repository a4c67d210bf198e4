import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { consentOf, type FaceCheck, grantConsent, sendClip, startLiveness } from "./faceClient";
import { type Action, type Advice, advise, nextStep } from "./guidance";
import { loadHuman, look } from "./human";
import { errorText } from "./ScanCertificate";

const CLIP_MS = 8000;

/** 活体核验: consent first; then the challenge's actions one by one, guided on the phone by the
 * face model running locally; the recorded clip is judged by the server. */
export function Liveness({ personId }: { personId: string }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [consented, setConsented] = useState<boolean | null>(null);
  const [check, setCheck] = useState<FaceCheck | null>(null);
  const [step, setStep] = useState(0);
  const [advice, setAdvice] = useState<Advice>("noFace");
  const [result, setResult] = useState<FaceCheck | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    consentOf(personId)
      .then((c) => setConsented(c.granted))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [personId]);

  async function begin() {
    setError(null);
    setResult(null);
    const el = video.current!;
    let stream: MediaStream | null = null;
    // Off with the camera once the clip is recorded (or on an error): this also ends the guidance
    // loop, which would otherwise keep running the face model on a dead stream, taking the CPU
    // (and battery) while the clip uploads and is judged.
    const release = () => {
      stream?.getTracks().forEach((tr) => tr.stop());
      el.srcObject = null;
    };
    try {
      const started = await startLiveness(personId); // refused first (no enrolled face): no camera opened
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
      el.srcObject = stream;
      await el.play();
      const actions = (started.detail.actions ?? []) as Action[];
      setCheck(started);
      setStep(0);
      const recorder = new MediaRecorder(stream, { mimeType: "video/webm" });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const done = new Promise<Blob>((resolve) => {
        recorder.onstop = () => resolve(new Blob(chunks, { type: "video/webm" }));
      });
      recorder.start(500);
      void guide(el, actions);
      setTimeout(() => recorder.stop(), CLIP_MS);
      const clip = await done;
      release();
      setResult(await sendClip(started.id, clip));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      release();
    }
  }

  async function guide(el: HTMLVideoElement, actions: Action[]) {
    try {
      const human = await loadHuman();
      let current = 0;
      while (el.srcObject && current < actions.length) {
        const view = await look(human, el);
        setAdvice(advise(view, actions[current]!));
        current = nextStep(current, view, actions);
        setStep(current);
      }
    } catch {
      setAdvice("do"); // no local model (old phone, no WebGL): the spoken order still guides
    }
  }

  const actions = (check?.detail.actions ?? []) as Action[];
  return (
    <section class="stack" data-testid="liveness-page">
      <h1 class="page-title">{t("media.live.title")}</h1>
      <ErrorNote message={error} />
      {consented === false && (
        <div class="card stack">
          <p>{t("media.consent.text")}</p>
          <button
            class="btn btn-primary"
            data-testid="consent-grant"
            onClick={() => void grantConsent(personId).then((c) => setConsented(c.granted))}
          >
            {t("media.consent.agree")}
          </button>
          <p class="muted small">{t("media.consent.fallback")}</p>
        </div>
      )}
      {consented && (
        <>
          <video ref={video} playsInline muted class="scan-video mirrored" />
          {actions.length > 0 && !result && (
            <ol class="live-steps" data-testid="live-steps">
              {actions.map((a, i) => (
                <li key={a} class={i < step ? "done" : i === step ? "current" : ""}>
                  {t(`media.live.action.${a}` as MessageKey)}
                </li>
              ))}
            </ol>
          )}
          {check && !result && <p class="note">{t(`media.live.advice.${advice}` as MessageKey)}</p>}
          {result && (
            <p class={`note ${result.decision === "pass" ? "" : "note-error"}`} data-testid="live-result">
              {t(result.decision === "pass" ? "media.live.pass" : "media.live.fail")}
            </p>
          )}
          <button class="btn btn-primary" data-testid="live-start" disabled={!!check && !result} onClick={() => void begin()}>
            {t("media.live.start")}
          </button>
        </>
      )}
    </section>
  );
}
