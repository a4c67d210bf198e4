import { useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { grabFrame } from "./capture";
import { compareSelfie } from "./faceClient";
import { errorText } from "./ScanCertificate";

/** 人证比对: a selfie from the front camera compared on the server with the face on the scanned
 * certificate. Needs the person's face consent (the server refuses without it and names the
 * manual fallback). */
export function SelfieMatch({ personId, scanId }: { personId: string; scanId: string }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [live, setLive] = useState(false);
  const [decision, setDecision] = useState<string | null>(null);
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
      const selfie = await grabFrame(el);
      (el.srcObject as MediaStream | null)?.getTracks().forEach((tr) => tr.stop());
      el.srcObject = null;
      setLive(false);
      setDecision((await compareSelfie(personId, selfie, scanId)).decision);
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
      <button class="btn" data-testid={live ? "selfie-take" : "selfie-open"} onClick={() => void (live ? take() : open())}>
        {t(live ? "media.selfie.take" : "media.selfie.open")}
      </button>
    </div>
  );
}
