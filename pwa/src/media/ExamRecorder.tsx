import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorNote } from "../components/ErrorNote";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n";
import { myFile } from "../workers/client";
import type { Certificate } from "../workers/types";
import { drain, keep, type Recording, recordings } from "./examStore";
import { clock, MIN_EXAM_S } from "./examTime";
import { errorText } from "./ScanCertificate";

/** 实操考核录像: the rear camera records the practical exam (≥ 3 minutes) with the exam item and
 * the elapsed time on screen; the recording is kept on the phone and sent in resumable chunks
 * whenever the network is there. */
export function ExamRecorder({ personId }: { personId: string }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const recorder = useRef<MediaRecorder | null>(null);
  const [items, setItems] = useState<Certificate[]>([]);
  const [item, setItem] = useState("");
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const [kept, setKept] = useState<Recording[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => void recordings().then(setKept);
  const send = () =>
    void drain(undefined, refresh)
      .then(setKept)
      .catch((err: unknown) => setError(errorText(t, err)));

  useEffect(() => {
    myFile()
      .then((f) => {
        setItems(f.certificates);
        setItem((cur) => cur || f.certificates[0]?.item_key || "");
      })
      .catch((err: unknown) => setError(errorText(t, err)));
    refresh();
    send();
    window.addEventListener("online", send);
    return () => window.removeEventListener("online", send);
  }, []);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [startedAt]);

  async function start() {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      const el = video.current!;
      el.srcObject = stream;
      await el.play();
      const type = MediaRecorder.isTypeSupported("video/webm") ? "video/webm" : "video/mp4";
      const rec = new MediaRecorder(stream, { mimeType: type });
      const chunks: Blob[] = [];
      rec.ondataavailable = (e) => chunks.push(e.data);
      rec.onstop = () => {
        stream.getTracks().forEach((tr) => tr.stop());
        el.srcObject = null;
        const blob = new Blob(chunks, { type });
        void keep({ key: crypto.randomUUID(), person_id: personId, item_key: item, blob, type, recorded_at: Date.now() }).then(send);
      };
      rec.start(1000);
      recorder.current = rec;
      setStartedAt(Date.now());
      setNow(Date.now());
    } catch (err) {
      setError(errorText(t, err));
    }
  }

  function stop() {
    recorder.current?.stop();
    recorder.current = null;
    setStartedAt(null);
  }

  const elapsed = startedAt === null ? 0 : (now - startedAt) / 1000;
  const itemName = items.find((c) => c.item_key === item)?.item_name ?? item;
  return (
    <section class="stack" data-testid="exam-recorder">
      <h1 class="page-title">{t("media.exam.title")}</h1>
      <p class="muted">{t("media.exam.lead")}</p>
      <ErrorNote message={error} />
      <label class="field">
        <span>{t("media.exam.item")}</span>
        <select value={item} disabled={startedAt !== null} onChange={(e) => setItem((e.target as HTMLSelectElement).value)} data-testid="exam-item">
          {items.map((c) => (
            <option key={c.id} value={c.item_key}>
              {c.item_name}
            </option>
          ))}
        </select>
      </label>
      <video ref={video} playsInline muted class="scan-video" data-testid="exam-preview" />
      {startedAt !== null && (
        <p class="note" data-testid="exam-elapsed">
          {itemName} · {clock(elapsed)} / {clock(MIN_EXAM_S)}
          {elapsed < MIN_EXAM_S && ` · ${t("media.exam.tooShort")}`}
        </p>
      )}
      {startedAt === null ? (
        <button class="btn btn-primary" data-testid="exam-start" disabled={!item} onClick={() => void start()}>
          {t("media.exam.start")}
        </button>
      ) : (
        <button class="btn btn-primary" data-testid="exam-stop" onClick={stop}>
          {t("media.exam.stop")}
        </button>
      )}
      {kept.length > 0 && <h2 class="card-title">{t("media.exam.kept")}</h2>}
      {kept.map((r) => (
        <p key={r.key} class={`note ${r.state === "refused" ? "note-error" : ""}`} data-testid="exam-recording">
          {items.find((c) => c.item_key === r.item_key)?.item_name ?? r.item_key} ·{" "}
          {t(`media.exam.state.${r.state}` as MessageKey)}
          {r.state === "waiting" && r.blob.size > 0 && ` ${Math.floor((100 * r.sent) / r.blob.size)}%`}
          {r.message && ` · ${r.message}`}
        </p>
      ))}
    </section>
  );
}
