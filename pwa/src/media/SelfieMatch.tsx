import { useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { grabFrame } from "./capture";
import { compareSelfie, enrolFace } from "./faceClient";
import { errorText } from "./ScanCertificate";

/** 人证比对: a selfie from the front camera compared on the server with the face on the scanned
 * certificate. Needs the person's face consent (the server refuses without it and names the
 * manual fallback). A selfie that matched a card without red checks may be enrolled as the
 * person's face, which the liveness check then compares against. */
export function SelfieMatch({ personId, scanId, canEnrol }: { personId: string; scanId: string; canEnrol: boolean }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [live, setLive] = useState(false);
  const [decision, setDecision] = useState<string | null>(null);
  const [selfie, setSelfie] = useState<Blob | null>(null);
  const [enrolled, setEnrolled] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setError(null);
    setDecision(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
      video.current!.srcObject = stream;
      await video.current!.play();
      setLive(true);
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  async function take() {
    const el = video.current!;
    try {
      const shot = await grabFrame(el);
      (el.srcObject as MediaStream | null)?.getTracks().forEach((tr) => tr.stop());
      el.srcObject = null;
      setLive(false);
      setSelfie(shot);
      setDecision((await compareSelfie(personId, shot, scanId)).decision);
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  return (
    <div class="card stack" data-testid="selfie-match">
      <h2 class="card-title">{t("media.selfie.title")}</h2>
      <ErrorNote message={error} />
      <video ref={video} playsInline muted class="scan-video mirrored" hidden={!live} />
      {decision && (
        <p class={`note ${decision === "match" ? "" : "note-error"}`} data-testid="selfie-decision">
          {t(`media.selfie.${decision}` as MessageKey)}
        </p>
      )}
      {decision === "match" && canEnrol && selfie && !enrolled && (
        <button
          class="btn btn-primary"
          data-testid="selfie-enrol"
          onClick={() =>
            void enrolFace(personId, selfie)
              .then(() => setEnrolled(true))
              .catch((err: unknown) => setError(errorText(t, err)))
          }
        >
          {t("media.selfie.enrol")}
        </button>
      )}
      {enrolled && <p class="note">{t("media.selfie.enrolled")}</p>}
      <button class="btn" data-testid={live ? "selfie-take" : "selfie-open"} onClick={() => void (live ? take() : open())}>
        {t(live ? "media.selfie.take" : "media.selfie.open")}
      </button>
    </div>
  );
}
