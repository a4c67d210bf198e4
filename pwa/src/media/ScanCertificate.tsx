import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, NetworkError } from "../api";
import { ErrorNote } from "../components/ErrorNote";
import { useT, type Translate } from "../i18n";
import { hrefOf } from "../router";
import { grabFrame, guideRect, resizeFile } from "./capture";
import { uploadScan } from "./client";
import { ScanResult } from "./ScanResult";
import { SelfieMatch } from "./SelfieMatch";
import type { Scan } from "./types";

export function errorText(t: Translate, err: unknown): string {
  if (err instanceof NetworkError) return t("media.offline");
  if (err instanceof ApiError) return err.detail;
  return String(err);
}

/** 拍照识别证书: the camera with a card-shaped guide (or a picked photo), resized on the phone,
 * read on the server; the fields and checks come back for review. */
export function ScanCertificate({ personId }: { personId: string }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [live, setLive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [scan, setScan] = useState<Scan | null>(null);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    navigator.mediaDevices
      ?.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1920 } }, audio: false })
      .then((s) => {
        stream = s;
        if (stopped || !video.current) return s.getTracks().forEach((tr) => tr.stop());
        video.current.srcObject = s;
        void video.current.play().then(() => setLive(true));
      })
      .catch(() => setLive(false)); // no camera or permission: the file picker stays available
    return () => {
      stopped = true;
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, []);

  async function send(photo: Promise<Blob>) {
    setBusy(true);
    setError(null);
    try {
      setScan(await uploadScan(personId, await photo));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  const v = video.current;
  const guide = v && live ? guideRect(v.videoWidth, v.videoHeight) : null;
  return (
    <section class="stack" data-testid="scan-page">
      <a class="link" href={hrefOf({ name: "certificates" })}>
        ← {t("qual.back")}
      </a>
      <h1 class="page-title">{t("media.scan.title")}</h1>
      <p class="muted">{t("media.scan.lead")}</p>
      {!scan && (
        <div class="scan-frame" data-testid="scan-frame">
          <video ref={video} playsInline muted class="scan-video" />
          {guide && v && (
            <div
              class="scan-guide"
              data-testid="scan-guide"
              style={{
                left: `${(100 * guide.x) / v.videoWidth}%`,
                top: `${(100 * guide.y) / v.videoHeight}%`,
                width: `${(100 * guide.width) / v.videoWidth}%`,
                height: `${(100 * guide.height) / v.videoHeight}%`,
              }}
            />
          )}
        </div>
      )}
      {!scan && (
        <div class="row">
          <button
            class="btn btn-primary"
            disabled={!live || busy}
            data-testid="scan-capture"
            onClick={() => v && void send(grabFrame(v))}
          >
            {busy ? t("media.scan.reading") : t("media.scan.capture")}
          </button>
          <label class="btn">
            {t("media.scan.pick")}
            <input
              type="file"
              accept="image/jpeg,image/png,image/webp"
              capture="environment"
              hidden
              data-testid="scan-file"
              onChange={(e) => {
                const file = (e.currentTarget as HTMLInputElement).files?.[0];
                if (file) void send(resizeFile(file));
              }}
            />
          </label>
        </div>
      )}
      <ErrorNote message={error} />
      {scan && <ScanResult scan={scan} />}
      {scan && <SelfieMatch personId={personId} scanId={scan.id} canEnrol={scan.verdict !== "red"} />}
      {scan && (
        <button class="btn" data-testid="scan-again" onClick={() => setScan(null)}>
          {t("media.scan.again")}
        </button>
      )}
    </section>
  );
}
